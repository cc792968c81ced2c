"""A resumed run is the run that was interrupted: SIGKILL at a random moment, resume, compare with a run that
was never stopped (metrics.csv but for the wall-time column, the final evaluation, the saved weights)."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
import torch

from rlkit.checkpoint import load_checkpoint

COMMON = ("eval.episodes=2", "log_every=100", "seed=3")
# Short runs with several checkpoints, evaluations and updates; each agent's preset still applies underneath.
CASES = {
    "ddpg": ("agent=ddpg", "env=Pendulum-v1", "total_steps=2400", "agent.learning_starts=200",
             "eval.every=600", "checkpoint.every=200"),
    "dqn": ("agent=dqn", "env=CartPole-v1", "total_steps=6000", "agent.learning_starts=500",
            "agent.exploration_steps=2000", "eval.every=2000", "checkpoint.every=512"),
    "dqn-td_steps": ("agent=dqn", "env=CartPole-v1", "total_steps=6000", "agent.learning_starts=500",
                     "agent.exploration_steps=2000", "agent.td_steps=3", "eval.every=2000", "checkpoint.every=512"),
    "dqn-prioritized": ("agent=dqn", "env=CartPole-v1", "total_steps=6000", "agent.learning_starts=500",
                        "agent.exploration_steps=2000", "agent.prioritized=true", "agent.priority_beta_steps=6000",
                        "eval.every=2000", "checkpoint.every=512"),
    "reinforce": ("agent=reinforce", "env=CartPole-v1", "total_steps=12000", "num_envs=2",
                  "agent.rollout_steps=50", "eval.every=4000", "checkpoint.every=700"),
    "ac": ("agent=ac", "env=CartPole-v1", "total_steps=12000", "eval.every=4000", "checkpoint.every=600"),
}


def command(run_dir, *overrides):
    return [sys.executable, "-m", "rlkit", *overrides, *COMMON, f"hydra.run.dir={run_dir}"]


def run(run_dir, *overrides) -> subprocess.CompletedProcess:
    proc = subprocess.run(command(run_dir, *overrides), capture_output=True, text=True, timeout=600,
                          cwd=run_dir.parent)
    assert proc.returncode == 0, proc.stderr
    return proc


def metrics_without_wall_time(run_dir) -> list[dict]:
    with (run_dir / "metrics.csv").open() as f:
        return [{k: v for k, v in row.items() if k != "charts/sps"} for row in csv.DictReader(f)]


def saved_step(path) -> int:
    try:
        return int(load_checkpoint(path)["progress"]["env_steps"])
    except Exception:  # noqa: BLE001 - being written right now
        return -1


def kill_mid_run(run_dir, overrides, rng: random.Random) -> None:
    """Start the run, wait for a checkpoint past step 0, then SIGKILL it at a random moment."""
    proc = subprocess.Popen(command(run_dir, *overrides), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            cwd=run_dir.parent)
    last = run_dir / "checkpoints" / "last.pt"
    deadline = time.time() + 120
    while proc.poll() is None and time.time() < deadline and not (last.exists() and saved_step(last) > 0):
        time.sleep(0.05)
    time.sleep(rng.uniform(0.0, 0.4))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed: make it longer"


@pytest.mark.parametrize("agent", list(CASES))
def test_sigkill_then_resume_is_the_uninterrupted_run(tmp_path, agent):
    overrides = CASES[agent]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    run(straight, *overrides)
    kill_mid_run(killed, overrides, random.Random(agent))
    interrupted_at = saved_step(killed / "checkpoints" / "last.pt")
    run(killed, *overrides, "resume=true")
    assert metrics_without_wall_time(killed) == metrics_without_wall_time(straight), f"killed at {interrupted_at}"
    a, b = (json.loads((d / "summary.json").read_text()) for d in (straight, killed))
    assert a["eval_return_mean"] == b["eval_return_mean"] and a["episodes"] == b["episodes"]
    sa, sb = (load_checkpoint(d / "checkpoints" / "last.pt")["agent"] for d in (straight, killed))
    for net in sa:
        if isinstance(sa[net], dict) and net != "extra":
            for name, tensor in sa[net].items():
                if torch.is_tensor(tensor):
                    assert torch.equal(tensor, sb[net][name]), f"{net}.{name}"


def test_two_runs_with_one_seed_log_the_same_metrics(tmp_path):
    overrides = CASES["ddpg"]
    run(tmp_path / "a", *overrides)
    run(tmp_path / "b", *overrides)
    assert metrics_without_wall_time(tmp_path / "a") == metrics_without_wall_time(tmp_path / "b")


def test_resume_with_a_run_dir_path_writes_into_it_and_extends(tmp_path):
    first = tmp_path / "first"
    run(first, "agent=ddpg", "total_steps=600", "agent.learning_starts=200", "eval.every=300",
        "checkpoint.every=300")
    proc = subprocess.run([sys.executable, "-m", "rlkit", "agent=ddpg", "total_steps=900",
                           "agent.learning_starts=200", "eval.every=300", "checkpoint.every=300", *COMMON,
                           f"resume={first}"], capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((first / "summary.json").read_text())["env_steps"] == 900
    steps = [int(r["env_step"]) for r in metrics_without_wall_time(first)]
    assert steps == sorted(steps) and steps[0] <= 200 and steps[-1] == 900  # the first 600 steps' rows kept


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_sigint_and_sigterm_save_then_exit_with_their_codes(tmp_path, sig, code):
    run_dir = tmp_path / "run"
    proc = subprocess.Popen(command(run_dir, "total_steps=1000000", "checkpoint.every=200", "eval.every=100000",
                                    "agent.learning_starts=100"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    last = run_dir / "checkpoints" / "last.pt"
    deadline = time.time() + 120
    while saved_step(last) < 200 and time.time() < deadline:
        time.sleep(0.1)
    assert saved_step(last) >= 200, "no checkpoint past step 200 within two minutes"
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr and "last checkpoint in" in stderr
    state = load_checkpoint(last)
    assert state["progress"]["env_steps"] >= 200
    resumed = subprocess.run(command(run_dir, f"total_steps={state['progress']['env_steps'] + 200}",
                                     "checkpoint.every=200", "eval.every=100000", "agent.learning_starts=100",
                                     "resume=true"), capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
