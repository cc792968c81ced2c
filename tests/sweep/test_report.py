"""rlkit.report on hand-made run dirs: grouping, unfinished runs, AUC, bad paths (no training, fast)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import yaml

from rlkit.report import auc, report
from tests.sweep.helpers import one_error_line
from tests.sweep.helpers import report as report_cli


def make_run(folder: Path, seed: int, curve: list[tuple[int, float]], lr: float = 0.001, finished: bool = True,
             agent: str = "dqn", env: str = "CartPole-v1", cpu: str | None = None, **extra) -> Path:
    (folder / ".hydra").mkdir(parents=True)
    config = {"seed": seed, "agent": {"name": agent, "lr": lr}, "env": {"id": env}, "resume": False, **extra}
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config))
    rows = ["env_step,charts/episodic_return,eval/return_mean"] + [f"{s},,{v}" for s, v in curve]
    (folder / "metrics.csv").write_text("\n".join(rows) + "\n")
    if finished:
        summary = {"agent": agent, "env": env, "seed": seed, "env_steps": curve[-1][0], "train_wall_s": 2.0,
                   "eval_return_mean": curve[-1][1], **({"cpu": cpu} if cpu else {})}
        (folder / "summary.json").write_text(json.dumps(summary))
    return folder


def test_groups_by_swept_key_and_lists_unfinished_runs(tmp_path):
    sweep = tmp_path / "multirun"
    for seed in range(4):
        make_run(sweep / f"{seed}-a", seed, [(100, 10.0 * seed), (200, 100.0 + seed)], lr=0.001)
        make_run(sweep / f"{seed}-b", seed, [(100, 5.0), (200, 50.0 + seed)], lr=0.01)
    stopped = make_run(sweep / "9-stopped", 9, [(100, 1.0)], lr=0.01, finished=False)
    old = time.time() - 3600
    os.utime(stopped / "metrics.csv", (old, old))
    make_run(sweep / "8-running", 8, [(100, 1.0)], lr=0.001, finished=False)
    result = report([sweep])
    labels = [g["label"] for g in result["groups"]]
    assert labels == ["dqn CartPole-v1 agent.lr=0.001", "dqn CartPole-v1 agent.lr=0.01"]
    low_lr, high_lr = result["groups"]
    assert low_lr["seeds"] == [0, 1, 2, 3] and low_lr["mean"] == pytest.approx(101.5)
    assert low_lr["iqm"] == pytest.approx(101.5)  # IQM of 100..103: the middle two
    assert low_lr["iqm_ci95"][0] <= 101.5 <= low_lr["iqm_ci95"][1]
    assert [r["status"] for r in low_lr["not_finished"]] == ["in progress"]
    assert [r["status"] for r in high_lr["not_finished"]] == ["failed or stopped"]
    text = result["markdown"]
    assert "`agent.lr=0.01`" in text and "seed 9 failed or stopped at env step 100" in text
    assert "seed 8 in progress" in text
    assert (sweep / "report" / "dqn-CartPole-v1-agent.lr_0.01.png").is_file()


def test_metric_auc_is_the_curves_mean_height():
    assert auc([(100, 0.0), (300, 100.0)]) == pytest.approx(50.0)
    assert auc([(100, 7.0)]) == 7.0


def test_a_group_with_no_finished_run_is_listed(tmp_path):
    make_run(tmp_path / "r", 0, [(100, 1.0)], finished=False)
    result = report([tmp_path], out=tmp_path / "out")
    assert result["groups"][0]["seeds"] == [] and "none finished" in result["markdown"]


@pytest.mark.parametrize("make", ["empty", "missing"])
def test_a_path_with_no_runs_is_one_line(tmp_path, make):
    path = tmp_path / "nothing"
    if make == "empty":
        path.mkdir()
    proc = report_cli(path, cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert str(path) in one_error_line(proc)


def test_the_interval_is_reproducible():
    import numpy as np

    from rlkit.report import iqm_ci

    scores = np.array([480.2, 500.0, 500.0, 437.8, 382.9])
    first = iqm_ci(scores, 500, seed=0)
    np.random.rand(3)  # numpy's global RNG moved on: same seed, same interval
    assert iqm_ci(scores, 500, seed=0) == first


def test_a_seed_found_in_two_sweeps_counts_once_and_the_merge_is_listed(tmp_path):
    first, second = tmp_path / "sweep1", tmp_path / "sweep2"
    for seed in (0, 1):
        make_run(first / f"{seed}-a", seed, [(100, 10.0), (200, 100.0 + seed)])
    make_run(second / "0-a", 0, [(100, 10.0), (200, 300.0)])           # seed 0 again, finished: first found kept
    make_run(second / "1-a", 1, [(100, 1.0)], finished=False)          # seed 1 again, stopped: the finished kept
    make_run(second / "2-a", 2, [(100, 1.0)], finished=False)
    make_run(tmp_path / "sweep3" / "2-a", 2, [(100, 1.0), (150, 2.0)], finished=False)  # the further one kept
    result = report([first, second, tmp_path / "sweep3"], out=tmp_path / "out")
    (group,) = result["groups"]
    assert group["seeds"] == [0, 1] and group["runs"] == 3
    assert group["mean"] == 100.5
    assert [r["path"] for r in group["not_finished"]] == [str(tmp_path / "sweep3" / "2-a")]
    merged = {m["seed"]: m for m in result["merged"]}
    assert merged[0]["kept"] == str(first / "0-a") and merged[0]["dropped"] == [str(second / "0-a")]
    assert merged[1]["kept"] == str(first / "1-a") and merged[1]["dropped"] == [str(second / "1-a")]
    assert merged[2]["kept"] == str(tmp_path / "sweep3" / "2-a")
    assert "0,1 (n=2)" in result["markdown"]
    assert f"dqn CartPole-v1 seed 1: kept {first / '1-a'} (finished); left out {second / '1-a'}" in result["markdown"]


def test_runs_that_differ_in_a_key_are_not_merged(tmp_path):
    make_run(tmp_path / "s" / "0-a", 0, [(200, 1.0)], lr=0.001)
    make_run(tmp_path / "s" / "0-b", 0, [(200, 2.0)], lr=0.01)
    result = report([tmp_path / "s"])
    assert result["merged"] == [] and len(result["groups"]) == 2


def test_how_a_run_was_started_does_not_split_a_group(tmp_path):
    """resume and overwrite say how a run dir came to be, not what was learned: one group, one run per seed."""
    make_run(tmp_path / "a" / "0", 0, [(100, 10.0)], overwrite=False)
    make_run(tmp_path / "a" / "1", 1, [(100, 20.0)], overwrite=True, resume="auto")
    make_run(tmp_path / "b" / "1", 1, [(100, 20.0)], overwrite=False)
    result = report([tmp_path / "a", tmp_path / "b"])
    assert [g["seeds"] for g in result["groups"]] == [[0, 1]]


def test_one_seed_shows_no_spread(tmp_path):
    make_run(tmp_path / "r", 0, [(100, 1.0), (200, 7120.5)])
    result = report([tmp_path], out=tmp_path / "out")
    group = result["groups"][0]
    assert group["std"] is None and group["mean"] == 7120.5
    assert "| 7,120.5 (one seed) | 7,120.5 | 7,120.5 |" in result["markdown"]


def test_groups_on_one_env_get_a_comparison_plot(tmp_path):
    for seed in range(2):
        make_run(tmp_path / f"td3-{seed}", seed, [(100, 1.0), (200, 50.0 + seed)], agent="td3", env="Hopper-v5")
    make_run(tmp_path / "ddpg-0", 0, [(100, 1.0), (200, 20.0)], agent="ddpg", env="Hopper-v5")
    make_run(tmp_path / "alone", 0, [(100, 1.0), (200, 9.0)], agent="dqn", env="CartPole-v1")
    result = report([tmp_path], out=tmp_path / "out")
    assert result["comparisons"] == {"Hopper-v5": str(tmp_path / "out" / "compare-Hopper-v5.png")}
    assert (tmp_path / "out" / "compare-Hopper-v5.png").stat().st_size > 0
    assert not list((tmp_path / "out").glob("compare-CartPole*"))


def test_each_seed_and_the_cpu_it_ran_on_are_listed(tmp_path):
    make_run(tmp_path / "0", 0, [(100, 1.0), (200, 500.0)], cpu="AMD EPYC 7B13")
    make_run(tmp_path / "1", 1, [(100, 1.0), (200, 226.0)])  # a run from before summary.json had "cpu"
    result = report([tmp_path], out=tmp_path / "out")
    assert result["groups"][0]["cpus"] == ["AMD EPYC 7B13", "not recorded"]
    # CartPole-v1's gymnasium reward_threshold is 475: the seed below it is in bold and counted out
    assert "| dqn | CartPole-v1 | — | 0: 500.0, 1: **226.0** | 1 of 2 (≥ 475.0) | AMD EPYC 7B13; not recorded |" \
        in result["markdown"]
    assert [r["cpu"] for r in result["runs"]] == ["AMD EPYC 7B13", None]


def test_a_given_threshold_wins_and_an_env_without_one_counts_nothing(tmp_path):
    for seed, score in enumerate([-150.0, -250.0]):
        make_run(tmp_path / f"p{seed}", seed, [(100, -900.0), (200, score)], agent="ddpg", env="Pendulum-v1")
    make_run(tmp_path / "c0", 0, [(100, 1.0), (200, 480.0)])
    pendulum = report([tmp_path], out=tmp_path / "a")["groups"]
    assert [(g["env"], g["threshold"], g["reached"]) for g in pendulum] == [
        ("Pendulum-v1", None, None), ("CartPole-v1", 475.0, 1)]  # Pendulum has no reward_threshold
    given = report([tmp_path], out=tmp_path / "b", thresholds={"Pendulum-v1": -200.0, "CartPole-v1": 490.0})
    assert [(g["threshold"], g["reached"]) for g in given["groups"]] == [(-200.0, 1), (490.0, 0)]
    assert "0: −150.0, 1: **−250.0** | 1 of 2 (≥ −200.0)" in given["markdown"]
    assert report([tmp_path], out=tmp_path / "c", metric="auc")["groups"][1]["threshold"] is None


def test_an_agent_threshold_wins_over_its_env_threshold(tmp_path):
    for agent, score in [("dqn", 150.0), ("reinforce", 150.0)]:  # the same score, judged by each agent's bar
        make_run(tmp_path / agent, 0, [(100, -300.0), (200, score)], agent=agent, env="LunarLander-v3")
    groups = report([tmp_path], out=tmp_path / "o",
                    thresholds={"LunarLander-v3": 200.0, "reinforce/LunarLander-v3": 100.0})["groups"]
    assert {g["agent"]: (g["threshold"], g["reached"]) for g in groups} == {
        "dqn": (200.0, 0), "reinforce": (100.0, 1)}


@pytest.mark.parametrize("bad", ["Pendulum-v1", "=5", "Pendulum-v1=fast", "Pendulum-v1=nan"])
def test_a_bad_threshold_is_one_line(tmp_path, bad):
    make_run(tmp_path / "r", 0, [(100, 1.0)])
    line = one_error_line(report_cli(tmp_path, "--threshold", bad, cwd=tmp_path))
    assert line == (f"rlkit: error: --threshold={bad}: [AGENT/]ENV=VALUE with a finite number, "
                    "e.g. Pendulum-v1=-200 or reinforce/LunarLander-v3=100")
