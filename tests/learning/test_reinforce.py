"""REINFORCE solves CartPole-v1 with its tuned preset (agents_zoo/reinforce/CartPole-v1.yaml); seed 0, CLI."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_reinforce_solves_cartpole_within_budget(cli, tmp_path):
    proc = cli("agent=reinforce", "env=CartPole-v1", "seed=0")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env_steps"] <= 300_000  # the budget
    assert summary["eval_return_mean"] >= 475, summary  # the final deterministic evaluation, 10 episodes
