"""Each agent reaches its issue's score within the step budget with its tuned preset: seed 0, through the CLI.

The full three-seed runs live in the benchmark (``python -m rlkit.bench learn``); these are the CI checks.
"""

from __future__ import annotations

import json

import pytest

# (agent, env, step budget from the issue, score the final deterministic evaluation must reach)
CASES = [
    ("ddpg", "Pendulum-v1", 20_000, -200),
    ("dqn", "CartPole-v1", 50_000, 475),
    ("reinforce", "CartPole-v1", 300_000, 475),
    ("ac", "CartPole-v1", 100_000, 475),
]


@pytest.mark.slow
@pytest.mark.parametrize(("agent", "env", "budget", "threshold"), CASES, ids=[c[0] for c in CASES])
def test_agent_solves_its_env_within_budget(cli, tmp_path, agent, env, budget, threshold):
    proc = cli(f"agent={agent}", f"env={env}", "seed=0")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env_steps"] <= budget
    assert summary["eval_return_mean"] >= threshold, summary  # final evaluation, 10 episodes
