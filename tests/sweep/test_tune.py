"""Optuna through Hydra's sweeper: a 4-trial study stopped after its first trial resumes from SQLite to 4 complete
trials, then writes the best trial as a candidate preset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from tests.sweep.helpers import TINY, sweep

optuna = pytest.importorskip("optuna", reason="the Optuna sweeper: pip install -e '.[sweep]'")
# 2000 steps: a trial lasts long enough (~1-2 s) for the stop below to land inside the second one
TUNE = (*(o for o in TINY if not o.startswith("total_steps=")), "total_steps=2000",
        "+agents_zoo/dqn/search=CartPole-v1", "hydra.sweeper.n_trials=4")


def trials(folder):
    study = optuna.load_study(study_name="dqn-CartPole-v1", storage=f"sqlite:///{folder}/tune/dqn-CartPole-v1/optuna.db")
    return [t.state.name for t in study.get_trials()]


def test_stopped_search_resumes_and_writes_a_candidate_preset(tmp_path):
    log = tmp_path / "first.log"
    with log.open("w") as err:
        first = subprocess.Popen([sys.executable, "-m", "rlkit", "-m", *TUNE], cwd=tmp_path,
                                 stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 180
        while len(list(tmp_path.glob("tune/*/*/*/.hydra/config.yaml"))) < 2:  # the second trial has started
            assert time.monotonic() < deadline and first.poll() is None, log.read_text()[-2000:]
            time.sleep(0.02)
        first.send_signal(signal.SIGTERM)  # stopped like a killed job: the trial in flight is cut off
        first.wait(timeout=60)
    stderr = log.read_text()
    assert first.returncode == 143, stderr[-2000:]
    assert "new Optuna study dqn-CartPole-v1" in stderr
    done = trials(tmp_path).count("COMPLETE")
    assert 1 <= done < 4

    proc = sweep(*TUNE, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"{done} of 4 trials complete, running {4 - done} more" in proc.stderr
    assert trials(tmp_path).count("COMPLETE") == 4
    sweep_dir = tmp_path / "tune" / "dqn-CartPole-v1"
    assert len(list(sweep_dir.glob("*/*/summary.json"))) >= 4  # each session's trials in their own folder
    candidate = sweep_dir / "candidate.yaml"
    text = candidate.read_text()
    assert text.startswith("# @package _global_\n# CANDIDATE preset for dqn on CartPole-v1")
    assert "best of 4 complete trials" in text and "+agents_zoo/dqn/search=CartPole-v1" in text
    preset = yaml.safe_load(text)
    best = optuna.load_study(study_name="dqn-CartPole-v1", storage=f"sqlite:///{sweep_dir}/optuna.db").best_trial
    assert preset["agent"]["lr"] == pytest.approx(best.params["agent.lr"])
    assert preset["agent"]["loss"] == "huber" and preset["total_steps"] == 50000  # the rest of the preset kept
    assert os.path.getsize(sweep_dir / "optuna.db") > 0
