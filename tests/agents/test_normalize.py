"""normalize_obs (rlkit/agents/normalize.py): running statistics that match the data, travel in checkpoints and
are applied, never changed, when the agent is evaluated."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.normalize import RunningNorm
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")
OBS = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)


def test_running_statistics_equal_those_of_all_the_data_seen():
    torch.manual_seed(0)
    data = torch.randn(1000, 3) * torch.tensor([1.0, 10.0, 0.1]) + torch.tensor([5.0, -3.0, 0.0])
    norm = RunningNorm((3,))
    for chunk in data.split(37):
        norm.update(chunk)
    assert torch.allclose(norm.mean, data.double().mean(0), atol=1e-9)
    assert torch.allclose(norm.var, data.double().var(0, unbiased=False), rtol=1e-9)
    out = norm(data)
    assert torch.allclose(out.mean(0), torch.zeros(3), atol=1e-4)
    assert torch.allclose(out.std(0), torch.ones(3), atol=1e-2)


def step(obs: torch.Tensor) -> Transition:
    n = obs.shape[0]
    return Transition(obs=obs, action=torch.zeros(n, dtype=torch.long), reward=torch.zeros(n), next_obs=obs,
                      terminated=torch.zeros(n), done=torch.zeros(n))


@pytest.mark.parametrize("name", ["ac", "reinforce"])
def test_statistics_are_learned_in_training_saved_and_left_alone_by_evaluation(name):
    agent = make_agent(name, OBS, gym.spaces.Discrete(2), CPU, normalize_obs=True)
    for _ in range(10):
        obs = torch.randn(4, 3) * 50 + 100
        agent.act(obs)
        agent.observe(step(obs))
        agent.update()
    assert agent.obs_norm.count.item() == 40 and agent.obs_norm.mean.min() > 50
    before = agent.obs_norm.state_dict()
    agent.act(torch.randn(4, 3) * 1000, explore=False)  # evaluation reads, never writes, the statistics
    assert all(torch.equal(before[k], v) for k, v in agent.obs_norm.state_dict().items())
    restored = make_agent(name, OBS, gym.spaces.Discrete(2), CPU, normalize_obs=True)
    restored.load_state_dict(agent.state_dict())
    probe = torch.randn(5, 3) * 50 + 100
    assert torch.equal(restored.act(probe, explore=False), agent.act(probe, explore=False))
    assert torch.equal(restored.obs_norm.mean, agent.obs_norm.mean)


def test_images_are_refused_in_one_line():
    pixels = gym.spaces.Box(0, 255, (4, 10, 10), np.uint8)
    with pytest.raises(ConfigError, match=r"ac normalize_obs=true needs vector observations, not shape \(4, 10, 10\)"):
        make_agent("ac", pixels, gym.spaces.Discrete(3), CPU, normalize_obs=True)


@pytest.mark.parametrize("name", ["ac", "reinforce"])
def test_statistics_stay_fixed_after_normalize_obs_steps(name):
    agent = make_agent(name, OBS, gym.spaces.Discrete(2), CPU, normalize_obs=True, normalize_obs_steps=12)
    for _ in range(3):  # 4 envs: env steps 0-3, 4-7, 8-11 are folded in
        agent.observe(step(torch.randn(4, 3) + 100))
    fixed = {k: v.clone() for k, v in agent.obs_norm.state_dict().items()}
    assert fixed["count"].item() == 12
    for _ in range(5):  # far-off observations after step 12 leave the statistics, and so the policy, as they were
        agent.observe(step(torch.randn(4, 3) * 1000 - 500))
    assert all(torch.equal(fixed[k], v) for k, v in agent.obs_norm.state_dict().items())
    assert make_agent(name, OBS, gym.spaces.Discrete(2), CPU, normalize_obs=True).obs_norm_steps is None
