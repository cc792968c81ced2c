"""Actor-critic solves CartPole-v1 with its tuned preset (agents_zoo/ac/CartPole-v1.yaml); seed 0, CLI."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow
def test_ac_solves_cartpole_within_budget(cli, tmp_path):
    proc = cli("agent=ac", "env=CartPole-v1", "seed=0")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env_steps"] <= 100_000  # the budget
    assert summary["eval_return_mean"] >= 475, summary  # the final deterministic evaluation, 10 episodes
