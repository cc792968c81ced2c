"""threads=auto: a job's share of the cores under each launcher; the objective a sweeper gets."""

from __future__ import annotations

import json

import pytest

from rlkit.sweep import objective_value, resolve_threads
from tests.conftest import composed

JOBLIB = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
RAY = "hydra_plugins.hydra_ray_launcher.ray_launcher.RayLauncher"
BASIC = "hydra._internal.core_plugins.basic_launcher.BasicLauncher"


@pytest.mark.parametrize(("launcher", "cores", "threads"), [
    (None, 8, 8),                                                  # a single run (no Hydra): all cores
    ({"_target_": BASIC}, 2, 2),                                   # one job at a time
    ({"_target_": JOBLIB, "n_jobs": 2}, 2, 1),
    ({"_target_": JOBLIB, "n_jobs": 2}, 16, 8),
    ({"_target_": JOBLIB, "n_jobs": 10}, 2, 1),                    # more jobs than cores: never fewer than 1
    ({"_target_": JOBLIB, "n_jobs": -1}, 16, 1),                   # joblib's -1: one job per core
    ({"_target_": JOBLIB, "n_jobs": -2}, 16, 1),
    ({"_target_": RAY, "ray": {"init": {}, "remote": {}}}, 16, 1),  # Ray reserves 1 CPU per task
    ({"_target_": RAY, "ray": {"init": {}, "remote": {"num_cpus": 4}}}, 16, 4),
])
def test_auto_is_the_jobs_share_of_the_cores(launcher, cores, threads):
    assert resolve_threads("auto", launcher, cores=cores) == threads


def test_an_explicit_count_is_kept_and_oversubscription_warned(capsys):
    assert resolve_threads(1, {"_target_": JOBLIB, "n_jobs": 2}, cores=2) == 1
    assert capsys.readouterr().err == ""
    assert resolve_threads(2, {"_target_": JOBLIB, "n_jobs": 2}, cores=2) == 2
    assert "threads=2 × 2 parallel jobs > 2 cores" in capsys.readouterr().err


def test_schema_accepts_auto_and_objective():
    from rlkit.agents import AGENTS
    from rlkit.schema import validate

    cfg = composed("agent=dqn", "env=CartPole-v1", "threads=auto", "objective=auc")
    validate(cfg, AGENTS.get("dqn"))
    assert cfg["threads"] == "auto" and cfg["objective"] == "auc"


def test_objective_value(tmp_path):
    summary = {"eval_return_mean": 80.0}
    (tmp_path / "metrics.csv").write_text("env_step,eval/return_mean\n100,20.0\n200,\n300,80.0\n")
    assert objective_value(summary, tmp_path, "none") is summary  # outside an Optuna sweep
    assert objective_value(summary, tmp_path, "final") == 80.0
    assert objective_value(summary, tmp_path, "auc") == pytest.approx(50.0)


def test_search_spaces_are_not_presets():
    plain = composed("agent=dqn", "env=CartPole-v1")
    assert plain["objective"] == "none" and plain["agent"]["lr"] == 0.0023  # the preset, not the search file
    searched = composed("agent=dqn", "env=CartPole-v1", "+agents_zoo/dqn/search=CartPole-v1")
    assert searched["objective"] == "final" and searched["agent"]["lr"] == 0.0023
    assert json.dumps(searched, sort_keys=True).count("search") == 0  # nothing of the search leaks into the run
