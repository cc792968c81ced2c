"""``resume=auto``: a seed sweep killed in its second job, run again as it was, is the sweep never stopped: the
finished job is not run again, the killed one continues from its checkpoint, the one never started starts."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time

from tests.test_resume import metrics_without_wall_time, saved_step

SWEEP = ("-m", "agent=dqn", "env=CartPole-v1", "seed=0,1,2", "total_steps=6000", "agent.learning_starts=500",
         "agent.exploration_steps=2000", "eval.every=2000", "eval.episodes=2", "checkpoint.every=512",
         "log_every=100", "hydra.sweep.dir=sweep")
JOBS = ("0-dqn-CartPole-v1-s0", "1-dqn-CartPole-v1-s1", "2-dqn-CartPole-v1-s2")


def command(*extra: str) -> list[str]:
    return [sys.executable, "-m", "rlkit", *SWEEP, *extra]


def test_a_killed_sweep_run_again_with_resume_auto_is_the_uninterrupted_sweep(tmp_path):
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    for folder in (straight, killed):
        folder.mkdir()
    proc = subprocess.run(command(), cwd=straight, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    sweep = subprocess.Popen(command("resume=auto"), cwd=killed, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    second = killed / "sweep" / JOBS[1] / "checkpoints" / "last.pt"
    while sweep.poll() is None and not (second.exists() and saved_step(second) > 0):
        time.sleep(0.05)
    time.sleep(random.Random(1).uniform(0.0, 0.3))
    sweep.send_signal(signal.SIGKILL)
    sweep.wait(timeout=60)
    assert sweep.returncode == -signal.SIGKILL, "the sweep ended before it could be killed"
    assert not (killed / "sweep" / JOBS[1] / "summary.json").exists()
    assert not (killed / "sweep" / JOBS[2]).exists()
    first_metrics = (killed / "sweep" / JOBS[0] / "metrics.csv").read_bytes()

    proc = subprocess.run(command("resume=auto"), cwd=killed, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"{JOBS[0]} finished earlier; resume=auto does not run it again" in proc.stderr
    assert (killed / "sweep" / JOBS[0] / "metrics.csv").read_bytes() == first_metrics
    for job in JOBS:
        a, b = (straight / "sweep" / job, killed / "sweep" / job)
        assert metrics_without_wall_time(b) == metrics_without_wall_time(a), job
        sa, sb = (json.loads((d / "summary.json").read_text()) for d in (a, b))
        assert (sb["eval_return_mean"], sb["episodes"]) == (sa["eval_return_mean"], sa["episodes"]), job


def test_resume_auto_in_a_fresh_run_dir_starts_the_run(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlkit", "agent=dqn", "env=CartPole-v1", "total_steps=300",
                           "agent.learning_starts=100", "eval.episodes=1", "resume=auto", "hydra.run.dir=run"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["env_steps"] == 300
