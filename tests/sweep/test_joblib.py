"""A seed sweep on Hydra's joblib launcher: parallel processes, each with its share of the cores; then the report."""

from __future__ import annotations

import json

import pytest

from rlkit.sweep import cpu_count
from tests.sweep.helpers import TINY, finished_runs, one_error_line, report, sweep


@pytest.fixture(scope="module")
def joblib_sweep(tmp_path_factory):
    folder = tmp_path_factory.mktemp("joblib")
    proc = sweep(*TINY, "seed=0,1", "threads=auto", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2",
                 "hydra.sweep.dir=sweep", cwd=folder)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder / "sweep"


def test_two_seeds_in_parallel_make_two_complete_run_dirs(joblib_sweep):
    runs = finished_runs(joblib_sweep)
    assert sorted(r["seed"] for r in runs) == [0, 1]
    assert all(r["env_steps"] == 300 for r in runs)
    # threads=auto: two jobs side by side share the cores, never more threads than cores in all
    assert all(r["threads"] == max(1, cpu_count() // 2) for r in runs)
    for run_dir in joblib_sweep.iterdir():
        if run_dir.is_dir():
            assert {".hydra", "metrics.csv", "summary.json", "checkpoints"} <= {p.name for p in run_dir.iterdir()}


def test_report_prints_iqm_with_ci_and_writes_plot_and_json(joblib_sweep, tmp_path):
    proc = report(joblib_sweep, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    main, per_seed = proc.stdout.split("Per seed")
    table = [line for line in main.splitlines() if line.startswith("| dqn")]
    assert len(table) == 1, proc.stdout
    assert "0,1 (n=2)" in table[0] and "300" in table[0] and "[" in table[0]  # IQM [low, high]
    assert " of 2 (≥ 475.0) |" in per_seed  # each seed's score, counted against CartPole's reward_threshold
    assert "IQM [95% CI]" in proc.stdout and "stratified bootstrap" in proc.stdout
    out = joblib_sweep / "report"
    assert (out / "dqn-CartPole-v1.png").is_file() and (out / "report.md").is_file()
    data = json.loads((out / "report.json").read_text())
    (group,) = data["groups"]
    assert group["seeds"] == [0, 1] and len(group["scores"]) == 2
    low, high = group["iqm_ci95"]
    assert low <= group["iqm"] <= high
    assert len(group["curve"]["env_step"]) == 2 and group["curve"]["env_step"][-1] == 300  # 4 envs: 152, 300
    assert group["sweeps"] == ["sweep"]  # the sweep dir's name: the wandb group of its runs


@pytest.mark.parametrize(("override", "message"), [
    ("hydra/launcher=nosuch", "hydra/launcher=nosuch: no such option; available: basic, joblib"),
    ("hydra/sweeper=nosuch", "hydra/sweeper=nosuch: no such option; available: basic, optuna"),
])
def test_unknown_launcher_or_sweeper_is_one_line(tmp_path, override, message):
    proc = sweep("seed=0,1", override, cwd=tmp_path)
    assert proc.returncode == 2
    assert message in one_error_line(proc)
    assert not any(tmp_path.iterdir())
