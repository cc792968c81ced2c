"""Optuna tuning around Hydra's Optuna sweeper: a resumable study and the best trial as a candidate preset.

A search space is ``agents_zoo/<agent>/search/<env>.yaml`` (applied with ``+agents_zoo/<agent>/search=<env>``; it
selects ``hydra/sweeper=optuna`` and stores the study in SQLite in the sweep dir). rlkit's sweep callback
(rlkit/sweep.py) calls, in the launching process:

- ``prepare_study`` before the sweeper starts: creates the sweep dir (SQLite does not create folders) and, when
  the study already holds trials, lowers ``hydra.sweeper.n_trials`` to the trials still missing, so the same
  command after a stop resumes the study up to ``n_trials`` complete trials in all (Optuna's sweeper alone would
  run ``n_trials`` more each time). A trial cut off by the stop stays ``RUNNING`` in the study and is not counted.
  The sampler's seed is offset by the trials already stored, else a resumed TPE (random for its first trials)
  would propose the first session's points again.
- ``write_candidate`` after the last trial: the preset of the pair with the best trial's values applied, as
  ``<sweep dir>/candidate.yaml``, with a header saying how it was found. It is a candidate: validate it on more
  seeds (``python -m rlkit.report``) before copying it to ``agents_zoo/<agent>/<env>.yaml``.
"""

from __future__ import annotations

import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf, open_dict, read_write

CANDIDATE = "candidate.yaml"


def sqlite_path(storage: str | None) -> Path | None:
    if storage and str(storage).startswith("sqlite:///"):
        return Path(str(storage)[len("sqlite:///"):])
    return None


def load_study(storage: str, name: str):
    """The stored study, or None when the storage holds no study of that name yet."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        return optuna.load_study(study_name=name, storage=storage)
    except KeyError:  # optuna 2.x: no such study
        return None


def complete_trials(study) -> list:
    import optuna

    return [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]


def prepare_study(config: Any) -> None:
    sweeper = config.hydra.sweeper
    storage = sweeper.get("storage")
    if not storage:
        return
    path = sqlite_path(storage)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    total = int(sweeper.n_trials)
    study = load_study(str(storage), str(sweeper.study_name))
    if study is None:
        print(f"rlkit: new Optuna study {sweeper.study_name} in {storage}: {total} trials", file=sys.stderr)
        return
    done = len(complete_trials(study))
    left = max(0, total - done)
    print(f"rlkit: resuming Optuna study {sweeper.study_name} in {storage}: {done} of {total} trials complete, "
          f"running {left} more", file=sys.stderr)
    with read_write(config.hydra), open_dict(config.hydra):
        config.hydra.sweeper.n_trials = left
        sampler = config.hydra.sweeper.get("sampler")
        if sampler is not None and sampler.get("seed") is not None:
            # a sampler re-seeded as in the first session would propose that session's first points again
            sampler.seed = int(sampler.seed) + len(study.get_trials(deepcopy=False))


def objective_name(config: Any) -> str:
    key = str(config.get("objective", "none"))
    return "final" if key == "none" else key


def preset_path(agent: str, env: str) -> Path:
    import rlkit.agents_zoo

    return Path(rlkit.agents_zoo.__file__).resolve().parent / agent / f"{env}.yaml"


def command_line() -> str:
    args = sys.argv[1:]
    return "python -m rlkit " + " ".join(a if " " not in a else f"'{a}'" for a in args)


def write_candidate(config: Any) -> Path | None:
    """``<sweep dir>/candidate.yaml``: the pair's preset with the best trial's parameters applied."""
    sweeper = config.hydra.sweeper
    storage = sweeper.get("storage")
    sweep_dir = Path(str(config.hydra.sweep.dir))
    if not storage:
        return None
    study = load_study(str(storage), str(sweeper.study_name))
    done = complete_trials(study) if study is not None else []
    if not done:
        print(f"rlkit: no complete trial in {storage}; no candidate preset written", file=sys.stderr)
        return None
    best = study.best_trial
    agent, env = str(config.agent.name), str(config.env.id)
    base_path = preset_path(agent, env)
    preset = OmegaConf.load(base_path) if base_path.is_file() else OmegaConf.create({})
    for key, value in best.params.items():
        OmegaConf.update(preset, key, value, force_add=True)
    objective = objective_name(config)
    what = {"final": "final eval return", "auc": "eval return AUC (area / env steps)"}[objective]
    changed = ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in best.params.items())
    base = (f"everything else is agents_zoo/{agent}/{env}.yaml as it was" if base_path.is_file()
            else "no preset existed for this pair: everything else is the agent's defaults")
    text = (f"CANDIDATE preset for {agent} on {env}, written {time.strftime('%Y-%m-%d %H:%M')} by rlkit's Optuna "
            f"sweep (rlkit/tune.py). Study {sweeper.study_name} in {storage}: the best of {len(done)} complete trials "
            f"is trial {best.number}, objective {objective} ({what}) = {best.value:.4g} with seed {config.seed} and "
            f"{config.total_steps} env steps per trial. Searched values: {changed}; {base}. A search on one seed "
            "overfits to it: check these values over seeds 0-4 with python -m rlkit.report before copying this "
            f"file to agents_zoo/{agent}/{env}.yaml. Found by:")
    header = ["# @package _global_", *(f"# {line}" for line in textwrap.wrap(text, 116)), f"#   {command_line()}"]
    sweep_dir.mkdir(parents=True, exist_ok=True)
    out = sweep_dir / CANDIDATE
    out.write_text("\n".join(header) + "\n" + OmegaConf.to_yaml(preset))
    print(f"rlkit: best of {len(done)} trials: trial {best.number}, {objective} = {best.value:.4g} ({changed}); "
          f"candidate preset {out}", file=sys.stderr)
    return out
