"""DDPG solves Pendulum-v1 with its tuned preset: the README's main command, seed 0, through the real CLI."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_ddpg_solves_pendulum_within_budget(cli, tmp_path):
    proc = cli("agent=ddpg", "env=Pendulum-v1", "seed=0")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env_steps"] <= 20_000  # the budget
    assert summary["eval_return_mean"] >= -200, summary
