"""Tiny sweeps, run as a user would: ``python -m rlkit -m ...`` in a subprocess, in a scratch folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

# DQN on CartPole in 300 env steps with two evaluations: a job takes about a second once started
TINY = ("agent=dqn", "env=CartPole-v1", "total_steps=300", "agent.learning_starts=100", "eval.every=150",
        "eval.episodes=2", "checkpoint.every=300", "log_every=100")


def sweep(*overrides: str, cwd: Path, timeout: float = 300, env: dict | None = None,
          prefix: Sequence[str] = ()) -> subprocess.CompletedProcess:
    """``python -m rlkit -m <overrides>``; ``prefix`` runs it inside another command (e.g. a network namespace)."""
    return subprocess.run([*prefix, sys.executable, "-m", "rlkit", "-m", *overrides], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env={**os.environ, **(env or {})})


def report(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rlkit.report", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def finished_runs(folder: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(folder.rglob("summary.json"))]


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("rlkit: error: ")]
    assert len(errors) == 1, proc.stderr
    return errors[0]
