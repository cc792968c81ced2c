"""The front door, exercised as a user would: ``python -m rlkit ...`` in a subprocess."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import torch

from rlkit.checkpoint import load_checkpoint
from rlkit.machine import cpu_name

SHORT = (
    "total_steps=600",
    "agent.learning_starts=200",
    "eval.every=300",
    "eval.episodes=2",
    "checkpoint.every=300",
    "log_every=100",
)


def test_short_ddpg_run_writes_every_artifact(cli, tmp_path):
    proc = cli("agent=ddpg", "env=Pendulum-v1", *SHORT)
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "run"
    for name in (
        "metrics.csv",
        "learning_curve.png",
        "summary.json",
        "checkpoints/last.pt",
        "checkpoints/best.pt",
        ".hydra/config.yaml",
    ):
        assert (run / name).is_file(), name
    summary = json.loads((run / "summary.json").read_text())
    for key in (
        "agent",
        "env",
        "seed",
        "device",
        "env_steps",
        "train_wall_s",
        "sps",
        "eval_return_mean",
        "eval_return_std",
    ):
        assert key in summary
    assert summary["env_steps"] == 600 and summary["agent"] == "ddpg" and summary["device"] == "cpu"
    assert summary["cpu"] == cpu_name() and summary["torch"] == torch.__version__  # what it ran on, for reports
    with (run / "metrics.csv").open() as f:
        rows = list(csv.DictReader(f))
    columns = set(rows[0])
    assert {"charts/episodic_return", "charts/sps", "losses/critic_loss", "eval/return_mean"} <= columns
    assert sum(1 for r in rows if r["charts/episodic_return"]) == 3  # 600 steps = three 200-step episodes
    state = load_checkpoint(run / "checkpoints" / "last.pt")
    assert state["progress"]["env_steps"] == 600
    assert {"actor", "critic", "actor_target", "critic_target", "actor_opt", "critic_opt"} <= set(
        state["agent"]
    )
    assert "Pendulum-v1" in proc.stderr and "eval return" in proc.stderr


def test_resume_continues_from_last_checkpoint(cli, tmp_path):
    assert cli("agent=ddpg", *SHORT).returncode == 0
    proc = cli("agent=ddpg", *SHORT[1:], "total_steps=900", "resume=true")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env_steps"] == 900
    state = load_checkpoint(tmp_path / "run" / "checkpoints" / "last.pt")
    assert len(state["progress"]["episodes"]) == 4  # 3 episodes before the resume + 1 after it
    assert state["agent"]["extra"]["env_steps"] == 900  # the agent's counters came back too


def test_unknown_agent_lists_the_known_ones(cli):
    stderr = cli("agent=nosuch").stderr
    assert "known: " in stderr
    assert all(name in stderr for name in ("ac", "ddpg", "dqn", "reinforce"))


def test_help_is_rlkits_own_and_fast(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlkit", "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("usage: python -m rlkit") and "powered by Hydra" not in text
    for expected in ("agent=", "dqn", "ddpg", "reinforce", "env=", "CartPole-v1", "MinAtar/Breakout-v1", "logger=",
                     "tensorboard", "presets", "LunarLander-v3", "overwrite=true", "docs/pages", "--hydra-help"):
        assert expected in text, expected
    assert len([line for line in text.splitlines() if line.startswith("  python -m rlkit")]) == 5
    assert not list(tmp_path.iterdir())  # no run dir, no outputs/
    probe = ("import runpy, sys; sys.argv = ['rlkit', '--help']; runpy.run_module('rlkit', run_name='__main__'); "
             "print('torch' in sys.modules, file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path)
    assert proc.stderr.strip() == "False", proc.stderr
    proc = subprocess.run([sys.executable, "-m", "rlkit", "--hydra-help"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 0 and "Hydra (" in proc.stdout, proc.stdout + proc.stderr
