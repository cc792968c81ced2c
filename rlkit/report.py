"""``python -m rlkit.report PATH...``: a sweep's runs as the table and plots a paper or a README shows.

    python -m rlkit.report multirun/2026-11-27_10-00-00 [MORE PATHS] [--out DIR] [--reps N] [--metric final|auc]
                           [--threshold [AGENT/]ENV=VALUE ...]

Every run dir under the paths (a dir holding ``.hydra/config.yaml``) is read: its config, ``summary.json`` (a
finished run) and ``metrics.csv`` (the ``eval/return_mean`` column against ``env_step``). Runs are grouped by
agent, env and every config key whose value differs between runs of that pair (a swept ``agent.lr``, ...),
except the seed. The same (agent, env, seed, config) found in several run dirs (two sweeps that both ran seed 0)
is one run: the finished one, else the one that got furthest; the report lists what it merged. Per group: the
seeds, env steps, the final evaluation return as mean ± std over seeds, its
median, and its interquartile mean (IQM) with a 95% stratified-bootstrap confidence interval (rliable, Agarwal
et al. 2021), and the training wall time; then each seed's score, how many seeds reached the threshold
(``--threshold AGENT/ENV=VALUE``, else ``--threshold ENV=VALUE``, else gymnasium's ``reward_threshold``) and the
CPU its runs finished on. A run without ``summary.json`` is listed as in progress (its ``metrics.csv`` was
written in the last ``--stale`` seconds) or as failed/stopped, never dropped silently, and left out of the numbers.

Writes into ``--out`` (default ``<first path>/report``): ``report.md`` (the table as printed), ``report.json``
(every number, per run and per group), one ``<group>.png`` per group: the mean evaluation return over seeds
against env steps with its 95% bootstrap band, and one ``compare-<env>.png`` per env that several groups ran
(td3 and ddpg on HalfCheetah-v5, or the lrs of a sweep): their mean curves on one axis. Needs the ``[sweep]``
extra (rliable).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import textwrap
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import OmegaConf

from rlkit.config import slug
from rlkit.errors import ConfigError, exit_on_error

EVAL_COLUMN = "eval/return_mean"
LIFECYCLE = ("resume", "overwrite")  # how a run was started, not what it learned
NOT_GROUPED = ("seed", *LIFECYCLE)  # differ between the runs of one group by design
SKIP_DIRS = {"checkpoints", "videos", "wandb", "tensorboard", ".hydra", "report"}
METRICS = ("final", "auc")


@dataclass
class RunRecord:
    """One run dir as the report sees it."""

    path: Path
    config: dict[str, Any]
    status: str  # finished | in progress | failed or stopped
    summary: dict[str, Any] | None
    evals: list[tuple[int, float]]  # (env_step, eval/return_mean)
    last_step: int
    sweep: str | None  # the Hydra multirun dir's name (wandb's default group), None for a single run
    wandb_group: str | None = None

    @property
    def seed(self) -> int:
        return int(self.config.get("seed", 0))

    @property
    def agent(self) -> str:
        return str(self.config.get("agent", {}).get("name", "?"))

    @property
    def env(self) -> str:
        return str(self.config.get("env", {}).get("id", "?"))


@dataclass
class Group:
    agent: str
    env: str
    variant: dict[str, Any]  # the swept keys that tell this group from the other groups of its (agent, env)
    runs: list[RunRecord] = field(default_factory=list)

    @property
    def label(self) -> str:
        extra = " ".join(f"{k}={_fmt(v)}" for k, v in sorted(self.variant.items()))
        return f"{self.agent} {self.env}" + (f" {extra}" if extra else "")

    @property
    def name(self) -> str:
        """A file name for this group's plot."""
        extra = "-".join(f"{k}={_fmt(v)}" for k, v in sorted(self.variant.items()))
        return slug(f"{self.agent}-{self.env}" + (f"-{extra}" if extra else ""))

    @property
    def finished(self) -> list[RunRecord]:
        return sorted((r for r in self.runs if r.status == "finished"), key=lambda r: r.seed)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    return str(value)


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(tree, dict):
        return {prefix.rstrip("."): json.dumps(tree) if isinstance(tree, list) else tree}
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat.update(flatten(value, f"{prefix}{key}."))
    return flat


# --- reading run dirs --------------------------------------------------------------------------------------------
def find_run_dirs(path: Path) -> list[Path]:
    """Run dirs at or under ``path``: folders holding ``.hydra/config.yaml`` (not searched further)."""
    found: list[Path] = []
    for root, dirs, _ in os.walk(path):
        here = Path(root)
        if (here / ".hydra" / "config.yaml").is_file():
            found.append(here)
            dirs.clear()
        else:
            dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
    return found


def read_evals(path: Path) -> tuple[list[tuple[int, float]], int]:
    """(env_step, eval/return_mean) pairs of a metrics.csv and the last env step it logged; a half-written last
    line (a run killed mid-write) is ignored."""
    if not path.is_file():
        return [], 0
    text = path.read_text()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    evals, last = [], 0
    for row in csv.DictReader(text.splitlines()):
        try:
            step = int(row["env_step"])
        except (KeyError, TypeError, ValueError):
            continue
        last = max(last, step)
        value = row.get(EVAL_COLUMN)
        if value:
            evals.append((step, float(value)))
    return evals, last


def read_run(run_dir: Path, stale_s: float, now: float | None = None) -> RunRecord:
    config = OmegaConf.to_container(OmegaConf.load(run_dir / ".hydra" / "config.yaml"), resolve=False)
    assert isinstance(config, dict)
    evals, last = read_evals(run_dir / "metrics.csv")
    summary = None
    summary_path = run_dir / "summary.json"
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text())
        except json.JSONDecodeError:
            summary = None
    if summary is not None:
        status = "finished"
    else:
        newest = max((p.stat().st_mtime for p in (run_dir / "metrics.csv", run_dir / "checkpoints" / "last.pt")
                      if p.exists()), default=0.0)
        age = (now if now is not None else time.time()) - newest
        status = "in progress" if newest and age < stale_s else "failed or stopped"
    sweep = None
    hydra_yaml = run_dir / ".hydra" / "hydra.yaml"
    if hydra_yaml.is_file():
        hydra_cfg = (OmegaConf.to_container(OmegaConf.load(hydra_yaml), resolve=False) or {}).get("hydra", {})
        if hydra_cfg.get("mode") == "MULTIRUN":
            # Hydra's output dir is <sweep dir>/<subdir>; the wandb logger groups by the sweep dir's name
            output_dir = Path(str(hydra_cfg.get("runtime", {}).get("output_dir") or run_dir))
            subdir_depth = max(1, len(Path(str(hydra_cfg.get("sweep", {}).get("subdir", "x"))).parts))
            sweep = output_dir.parents[subdir_depth - 1].name
    wandb_cfg = (config.get("logger") or {}).get("wandb") if isinstance(config.get("logger"), dict) else None
    wandb_group = None
    if isinstance(wandb_cfg, dict) and wandb_cfg.get("enabled", True):
        wandb_group = wandb_cfg.get("group") or sweep
    return RunRecord(run_dir, config, status, summary, evals, last, sweep, wandb_group)


def collect(paths: list[Path], stale_s: float = 300.0) -> list[RunRecord]:
    runs: list[RunRecord] = []
    seen: set[Path] = set()
    for path in paths:
        if not path.exists():
            raise ConfigError(f"{path}: no such run dir or multirun dir")
        for run_dir in find_run_dirs(path):
            if run_dir.resolve() not in seen:
                seen.add(run_dir.resolve())
                runs.append(read_run(run_dir, stale_s))
    if not runs:
        raise ConfigError(f"{', '.join(map(str, paths))}: no run dirs found (a run dir holds .hydra/config.yaml; "
                          "give run dirs or the multirun dirs that hold them)")
    return runs


def run_key(run: RunRecord) -> str:
    """What makes two run dirs the same run: agent, env, seed and every other config key but ``resume`` and
    ``overwrite``."""
    return json.dumps({k: v for k, v in flatten(run.config).items() if k.split(".")[0] not in LIFECYCLE},
                      sort_keys=True, default=str)


def merge_duplicates(runs: list[RunRecord]) -> tuple[list[RunRecord], list[dict[str, Any]]]:
    """One run per (agent, env, seed, config): two sweeps that both ran seed 0 of a config count it once. The one
    kept is the finished one, else the one that got furthest (the first found on a tie). Returns the runs kept, in
    their order, and what was merged: ``{"kept": path, "dropped": [paths], "seed", "agent", "env"}``."""
    by_key: dict[str, list[RunRecord]] = {}
    for run in runs:
        by_key.setdefault(run_key(run), []).append(run)
    kept, merged = [], []
    for same in by_key.values():
        best = max(same, key=lambda r: (r.status == "finished", r.last_step, -same.index(r)))
        kept.append(best)
        if len(same) > 1:
            merged.append({"agent": best.agent, "env": best.env, "seed": best.seed, "kept": str(best.path),
                           "kept_status": best.status,
                           "dropped": [str(r.path) for r in same if r is not best]})
    order = {id(r): i for i, r in enumerate(runs)}
    return sorted(kept, key=lambda r: order[id(r)]), merged


def group_runs(runs: list[RunRecord]) -> list[Group]:
    """Group by (agent, env, every key that differs between the runs of that pair, the seed aside)."""
    by_pair: dict[tuple[str, str], list[RunRecord]] = {}
    for run in runs:
        by_pair.setdefault((run.agent, run.env), []).append(run)
    groups: list[Group] = []
    for (agent, env), pair_runs in sorted(by_pair.items()):
        flats = [flatten(r.config) for r in pair_runs]
        keys = sorted(set().union(*flats))
        swept = [k for k in keys if k.split(".")[0] not in NOT_GROUPED
                 and len({json.dumps(f.get(k, "<unset>"), default=str) for f in flats}) > 1]
        variants: dict[str, Group] = {}
        for run, flat in zip(pair_runs, flats, strict=True):
            variant = {k: flat.get(k) for k in swept}
            key = json.dumps(variant, sort_keys=True, default=str)
            variants.setdefault(key, Group(agent, env, variant)).runs.append(run)
        groups.extend(variants[k] for k in sorted(variants))
    return groups


# --- statistics ---------------------------------------------------------------------------------------------
def auc(evals: list[tuple[int, float]]) -> float:
    """The evaluation curve's area divided by its length in env steps: the mean return over training (trapezoids
    between evaluations; a single evaluation is its own value)."""
    if not evals:
        return math.nan
    steps = np.array([s for s, _ in evals], dtype=float)
    values = np.array([v for _, v in evals], dtype=float)
    if len(evals) == 1 or steps[-1] == steps[0]:
        return float(values[-1])
    area = float(np.sum((values[1:] + values[:-1]) * np.diff(steps)) / 2)
    return area / float(steps[-1] - steps[0])


def final_score(run: RunRecord, metric: str) -> float:
    if metric == "auc":
        return auc(run.evals)
    assert run.summary is not None
    return float(run.summary["eval_return_mean"])


def _rliable():
    warnings.filterwarnings("ignore", message="random_state is deprecated", category=FutureWarning)  # arch's
    try:
        from rliable import library, metrics
    except ImportError as exc:
        raise ConfigError(f"rlkit.report needs rliable ({exc}); install it with pip install 'rlkit[sweep]'") from exc
    return library, metrics


def bootstrap(scores: np.ndarray, func, reps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """rliable's stratified bootstrap, reproducible: rliable 1.2 draws its resamples from numpy's global RNG
    whatever ``random_state`` says, so that is seeded here (and restored after)."""
    library, _ = _rliable()
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        point, interval = library.get_interval_estimates({"g": scores}, func, reps=reps,
                                                         random_state=np.random.RandomState(seed))
    finally:
        np.random.set_state(state)
    return point["g"], interval["g"]


def iqm_ci(scores: np.ndarray, reps: int, seed: int) -> tuple[float, float, float]:
    """IQM of the per-seed scores and its 95% stratified-bootstrap CI (rliable; one task, so runs are resampled)."""
    _, metrics = _rliable()
    point, interval = bootstrap(scores.reshape(-1, 1), lambda x: np.array([metrics.aggregate_iqm(x)]), reps, seed)
    return float(point[0]), float(interval[0, 0]), float(interval[1, 0])


def mean_curve(runs: list[RunRecord], reps: int, seed: int) -> dict[str, list[float]] | None:
    """Mean evaluation return over seeds at the env steps every run evaluated at, with a 95% bootstrap band."""
    curves = [dict(r.evals) for r in runs if r.evals]
    if not curves:
        return None
    steps = sorted(set.intersection(*(set(c) for c in curves)))
    if not steps:
        return None
    values = np.array([[c[s] for s in steps] for c in curves])  # seeds × steps
    _, metrics = _rliable()
    point, interval = bootstrap(values[:, None, :], lambda x: np.array(
        [metrics.aggregate_mean(x[..., i]) for i in range(len(steps))]), reps, seed)
    return {"env_step": [int(s) for s in steps], "mean": point.tolist(),
            "ci_low": interval[0].tolist(), "ci_high": interval[1].tolist()}


def group_threshold(agent: str, env_id: str, given: dict[str, float]) -> float | None:
    """The score that counts as solved for one (agent, env): ``--threshold AGENT/ENV=VALUE`` if given, else
    ``--threshold ENV=VALUE``, else gymnasium's ``reward_threshold`` for the id (None where the env has none or is
    not registered here). The agent form lets one report hold reinforce LunarLander's bar 100 beside dqn's 200."""
    for key in (f"{agent}/{env_id}", env_id):
        if key in given:
            return given[key]
    try:
        import gymnasium

        value = gymnasium.spec(env_id).reward_threshold
    except Exception:  # an id this process cannot look up (a plugin's, not imported): no threshold, not an error
        return None
    return None if value is None else float(value)


def parse_thresholds(items: list[str]) -> dict[str, float]:
    """``[AGENT/]ENV=VALUE`` strings (the ``--threshold`` option) as {key: value}; ``group_threshold`` reads them."""
    given = {}
    for item in items:
        key, sep, value = item.rpartition("=")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not sep or not key or not math.isfinite(number):
            raise ConfigError(f"--threshold={item}: [AGENT/]ENV=VALUE with a finite number, e.g. Pendulum-v1=-200 "
                              "or reinforce/LunarLander-v3=100")
        given[key] = number
    return given


def group_stats(group: Group, metric: str, reps: int, seed: int, threshold: float | None = None) -> dict[str, Any]:
    done = group.finished
    stats: dict[str, Any] = {
        "label": group.label, "agent": group.agent, "env": group.env, "variant": group.variant, "metric": metric,
        "seeds": [r.seed for r in done], "runs": len(group.runs),
        "not_finished": [{"path": str(r.path), "seed": r.seed, "status": r.status, "last_env_step": r.last_step}
                         for r in group.runs if r.status != "finished"],
        "sweeps": sorted({r.sweep for r in group.runs if r.sweep}),
        "wandb_groups": sorted({r.wandb_group for r in group.runs if r.wandb_group}),
        # the CPU of the process that finished each run; runs made before summary.json recorded it say so
        "cpus": sorted({(r.summary or {}).get("cpu") or "not recorded" for r in done}),
        "threshold": threshold,  # final metric only: an AUC is not a score a task is solved at
    }
    if not done:
        return stats
    scores = np.array([final_score(r, metric) for r in done])
    walls = np.array([float(r.summary.get("train_wall_s", math.nan)) for r in done if r.summary])
    steps = sorted({int(r.summary.get("env_steps", 0)) for r in done if r.summary})
    iqm, low, high = iqm_ci(scores, reps, seed)
    stats.update({
        "scores": scores.tolist(), "env_steps": steps,
        "mean": float(scores.mean()), "std": float(scores.std(ddof=1)) if len(scores) > 1 else None,
        "median": float(np.median(scores)), "iqm": iqm, "iqm_ci95": [low, high],
        "reached": None if threshold is None else int((scores >= threshold).sum()),
        "train_wall_s_mean": float(walls.mean()) if len(walls) else None,
        "train_wall_s_total": float(walls.sum()) if len(walls) else None,
        "curve": mean_curve(done, reps, seed),
    })
    return stats


# --- output ------------------------------------------------------------------------------------------------
def _num(x: float) -> str:
    return f"{x:,.1f}".replace("-", "−")


def variant_cell(variant: dict[str, Any]) -> str:
    """A group's swept keys as a table cell: `key=value` each, or — for a pair run one way only."""
    return " ".join(f"`{k}={_fmt(v)}`" for k, v in sorted(variant.items())) or "—"


def markdown(all_stats: list[dict[str, Any]], metric: str, merged: list[dict[str, Any]] = ()) -> str:
    what = "final eval return" if metric == "final" else "eval return AUC (mean over training)"
    show_wandb = any(s["wandb_groups"] for s in all_stats)
    head = ["agent", "env", "variant", "seeds", "env steps", f"{what}: mean ± std", "median",
            "IQM [95% CI]", "train wall time (s), mean"] + (["wandb group"] if show_wandb else [])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    notes = []
    for s in all_stats:
        variant = variant_cell(s["variant"])
        seeds = ",".join(map(str, s["seeds"])) or "none finished"
        if s["seeds"]:
            steps = "/".join(f"{n:,}" for n in s["env_steps"])
            low, high = s["iqm_ci95"]
            wall = "—" if s["train_wall_s_mean"] is None else f"{s['train_wall_s_mean']:.1f}"
            if s["std"] is None:  # one seed: no spread to show, and a bootstrap over it is that one value
                spread, iqm = _num(s["mean"]) + " (one seed)", _num(s["iqm"])
            else:
                spread, iqm = f"{_num(s['mean'])} ± {s['std']:.1f}", f"{_num(s['iqm'])} [{_num(low)}, {_num(high)}]"
            cells = [steps, spread, _num(s["median"]), iqm, wall]
        else:
            cells = ["—"] * 5
        row = [s["agent"], s["env"], variant, f"{seeds} (n={len(s['seeds'])})", *cells]
        if show_wandb:
            row.append(", ".join(s["wandb_groups"]) or "—")
        lines.append("| " + " | ".join(row) + " |")
        for run in s["not_finished"]:
            notes.append(f"- {s['label']}: seed {run['seed']} {run['status']} at env step {run['last_env_step']:,} "
                         f"(no summary.json; left out of the numbers): {run['path']}")
    text = "\n".join(lines) + "\n" + per_seed_table(all_stats, metric)
    if notes:
        text += "\nRuns not finished:\n" + "\n".join(notes) + "\n"
    if merged:
        text += ("\nThe same run (agent, env, seed and config) found in more than one run dir, counted once "
                 "(the finished one, else the furthest):\n")
        text += "\n".join(f"- {m['agent']} {m['env']} seed {m['seed']}: kept {m['kept']} ({m['kept_status']}); "
                          f"left out {', '.join(m['dropped'])}" for m in merged) + "\n"
    text += ("\nmean ± std (sample std over seeds), median and IQM (interquartile mean; the mean for fewer than 4 "
             "seeds) over the seeds' final deterministic evaluations; 95% CI: stratified bootstrap (rliable).\n"
             if metric == "final" else
             "\nmean ± std, median and IQM over seeds of each run's eval curve area / its length in env steps; "
             "95% CI: stratified bootstrap (rliable).\n")
    return text


def per_seed_table(all_stats: list[dict[str, Any]], metric: str) -> str:
    """Each group's score per seed (``seed: score``) and the CPUs its runs finished on."""
    rows = [s for s in all_stats if s["seeds"]]
    if not rows:
        return ""
    what = "final eval return; in bold below the threshold" if metric == "final" else "eval return AUC"
    lines = ["", f"Per seed ({what}):", "", "| agent | env | variant | seed: score | reached | CPU |",
             "|---|---|---|---|---|---|"]
    for s in rows:
        variant = variant_cell(s["variant"])
        bar = s["threshold"]
        scores = ", ".join(f"{seed}: **{_num(score)}**" if bar is not None and score < bar else f"{seed}: {_num(score)}"
                           for seed, score in zip(s["seeds"], s["scores"], strict=True))
        reached = "—" if bar is None else f"{s['reached']} of {len(s['seeds'])} (≥ {_num(bar)})"
        lines.append(f"| {s['agent']} | {s['env']} | {variant} | {scores} | {reached} | {'; '.join(s['cpus'])} |")
    return "\n".join(lines) + "\n"


def new_eval_plot():
    """A figure and axis for an evaluation-curve plot, on the file-only Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(figsize=(7, 4))


def save_eval_plot(fig, ax, title: str, path: Path) -> None:
    """Axis labels, title, grid and legend of an evaluation-curve plot, then write it and free the figure."""
    import matplotlib.pyplot as plt

    ax.set_xlabel("env steps")
    ax.set_ylabel("eval return (deterministic)")
    ax.set_title(textwrap.fill(title, 90), fontsize=9 if len(title) > 60 else None)  # a variant's keys run long
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_group(path: Path, stats: dict[str, Any], runs: list[RunRecord]) -> None:
    fig, ax = new_eval_plot()
    for run in runs:
        if run.evals:
            steps, values = zip(*run.evals, strict=True)
            ax.plot(steps, values, "-", color="grey", alpha=0.35, linewidth=1)
    curve = stats.get("curve")
    if curve:
        ax.fill_between(curve["env_step"], curve["ci_low"], curve["ci_high"], alpha=0.25, color="C0",
                        label="95% bootstrap CI")
        ax.plot(curve["env_step"], curve["mean"], "o-", color="C0", label=f"mean over {len(runs)} seeds")
    ax.plot([], [], "-", color="grey", alpha=0.5, label="each seed")
    save_eval_plot(fig, ax, stats["label"], path)


def plot_env(path: Path, env: str, groups: list[dict[str, Any]]) -> None:
    """One env's groups on one axis (td3 beside ddpg, or two swept lrs): each group's mean curve and band."""
    fig, ax = new_eval_plot()
    for i, stats in enumerate(groups):
        curve, color, n = stats["curve"], f"C{i}", len(stats["seeds"])
        if n > 1:
            ax.fill_between(curve["env_step"], curve["ci_low"], curve["ci_high"], alpha=0.2, color=color)
        label = stats["label"].replace(f" {env}", "", 1)
        label += f" ({'seed ' + str(stats['seeds'][0]) if n == 1 else f'mean of {n} seeds, 95% CI'})"
        ax.plot(curve["env_step"], curve["mean"], "o-", color=color, markersize=3, label=textwrap.fill(label, 60))
    save_eval_plot(fig, ax, env, path)


def plot_comparisons(out: Path, all_stats: list[dict[str, Any]]) -> dict[str, str]:
    """``compare-<env>.png`` for every env that more than one group has a curve on; {env: path}."""
    by_env: dict[str, list[dict[str, Any]]] = {}
    for stats in all_stats:
        if stats.get("curve"):
            by_env.setdefault(stats["env"], []).append(stats)
    plots = {}
    for env, groups in by_env.items():
        if len(groups) > 1:
            plots[env] = str(out / f"compare-{slug(env)}.png")
            plot_env(Path(plots[env]), env, groups)
    return plots


def report(paths: list[Path], out: Path | None = None, metric: str = "final", reps: int = 2000, seed: int = 0,
           stale_s: float = 300.0, thresholds: dict[str, float] | None = None) -> dict[str, Any]:
    """Read, group, compute, write; returns what ``report.json`` holds plus the Markdown text."""
    if metric not in METRICS:
        raise ConfigError(f"--metric={metric}: one of {', '.join(METRICS)}")
    if reps < 1:
        raise ConfigError(f"--reps={reps}: a positive integer")
    runs, merged = merge_duplicates(collect(paths, stale_s))
    groups = group_runs(runs)
    all_stats = [group_stats(g, metric, reps, seed, group_threshold(g.agent, g.env, thresholds or {})
                             if metric == "final" else None) for g in groups]
    out = out if out is not None else paths[0] / "report"
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out={out}: cannot create it ({exc.strerror or exc})") from exc
    for group, stats in zip(groups, all_stats, strict=True):
        if group.finished:
            stats["plot"] = str(out / f"{group.name}.png")
            plot_group(out / f"{group.name}.png", stats, group.finished)
    comparisons = plot_comparisons(out, all_stats)
    text = markdown(all_stats, metric, merged)
    result = {"paths": [str(p) for p in paths], "metric": metric, "bootstrap_reps": reps, "groups": all_stats,
              "comparisons": comparisons, "merged": merged,
              "runs": [{"path": str(r.path), "agent": r.agent, "env": r.env, "seed": r.seed, "status": r.status,
                        "final_eval_return": (r.summary or {}).get("eval_return_mean"),
                        "auc": auc(r.evals) if r.evals else None, "last_env_step": r.last_step,
                        "train_wall_s": (r.summary or {}).get("train_wall_s"), "cpu": (r.summary or {}).get("cpu"),
                        "sweep": r.sweep,
                        "wandb_group": r.wandb_group} for r in runs]}
    (out / "report.json").write_text(json.dumps(result, indent=2, default=_json_default) + "\n")
    (out / "report.md").write_text(text)
    result["markdown"] = text
    return result


def _json_default(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rlkit.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="+", type=Path, help="multirun dirs or run dirs")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <first path>/report)")
    parser.add_argument("--metric", default="final", help="final (default): the last evaluation; auc: the "
                        "eval curve's area over its length in env steps")
    parser.add_argument("--reps", type=int, default=2000, help="bootstrap replications (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    parser.add_argument("--stale", type=float, default=300.0, metavar="S",
                        help="an unfinished run whose metrics.csv is older than S seconds is 'failed or stopped' "
                        "(default 300)")
    parser.add_argument("--threshold", action="append", default=[], metavar="[AGENT/]ENV=VALUE",
                        help="the final score that counts as solved on ENV, or by AGENT on ENV (repeatable; "
                        "AGENT/ENV wins over ENV; default: gymnasium's reward_threshold for the id, where it has one)")
    return parser.parse_args(argv)


@exit_on_error
def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse(argv)
    result = report(args.paths, args.out, args.metric, args.reps, args.seed, args.stale,
                    parse_thresholds(args.threshold))
    print(result["markdown"], end="")
    out = args.out if args.out is not None else args.paths[0] / "report"
    compared = ", compare-<env>.png per env run by several groups" if result["comparisons"] else ""
    print(f"\nrlkit: report of {len(result['runs'])} runs in {len(result['groups'])} groups written to {out} "
          f"(report.md, report.json, one PNG per group{compared})")
    return result


if __name__ == "__main__":
    main()
