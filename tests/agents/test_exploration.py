"""Exploration and step-size options the zoo's presets use: OU action noise (ddpg) and linear learning-rate decay
(every agent); both off by default."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.noise import GaussianNoise, OrnsteinUhlenbeckNoise
from rlkit.envs.vector import Transition

CPU = torch.device("cpu")
BOX = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
ACTIONS = gym.spaces.Box(-2.0, 2.0, (1,), np.float32)


def lag1_correlation(series: torch.Tensor) -> float:
    return float(torch.corrcoef(torch.stack([series[:-1], series[1:]]))[0, 1])


def test_ou_noise_is_correlated_in_time_with_its_stationary_spread_and_gaussian_is_not():
    torch.manual_seed(0)
    std = torch.tensor([0.5])
    ou, gaussian = OrnsteinUhlenbeckNoise(std, theta=0.15, dt=0.1), GaussianNoise(std)
    zeros = torch.zeros(1, 1)
    ou_draws = torch.cat([ou(zeros) for _ in range(20_000)]).flatten()
    gauss_draws = torch.cat([gaussian(zeros) for _ in range(20_000)]).flatten()
    assert lag1_correlation(ou_draws) > 0.95
    assert abs(lag1_correlation(gauss_draws)) < 0.05
    # stationary std of x ← (1 − θdt)x + σ√dt·N: σ√dt / √(1 − (1 − θdt)²) ≈ σ/√(2θ) = 0.91
    assert float(ou_draws[5000:].std()) == pytest.approx(0.5 * 0.1**0.5 / (1 - (1 - 0.015) ** 2) ** 0.5, rel=0.25)


def test_ou_noise_restarts_for_the_envs_whose_episode_ended():
    ou = OrnsteinUhlenbeckNoise(torch.tensor([1.0]), theta=0.15, dt=1.0)
    ou(torch.zeros(3, 1))
    before = ou.x.clone()
    ou.reset(torch.tensor([0.0, 1.0, 0.0]))
    assert ou.x[1].item() == 0.0
    assert torch.equal(ou.x[[0, 2]], before[[0, 2]])


def transition(n: int, done: float = 0.0) -> Transition:
    obs = torch.zeros(n, 3)
    return Transition(obs=obs, action=torch.zeros(n, 1), reward=torch.zeros(n), next_obs=obs,
                      terminated=torch.zeros(n), done=torch.full((n,), done))


def test_ddpg_ou_noise_state_is_checkpointed_and_restored():
    agent = make_agent("ddpg", BOX, ACTIONS, CPU, noise_type="ou", exploration_noise=0.5, learning_starts=0)
    for _ in range(5):
        agent.act(torch.zeros(2, 3))
        agent.observe(transition(2))
    saved = agent.state_dict()
    restored = make_agent("ddpg", BOX, ACTIONS, CPU, noise_type="ou", exploration_noise=0.5, learning_starts=0)
    restored.load_state_dict(saved)
    assert torch.equal(restored.noise.x, agent.noise.x)
    torch.manual_seed(1)
    a = agent.act(torch.zeros(2, 3))
    torch.manual_seed(1)
    assert torch.equal(restored.act(torch.zeros(2, 3)), a)


def test_an_unknown_noise_type_is_one_clear_error():
    with pytest.raises(Exception, match="noise_type='pink' is not one of gaussian, ou"):
        make_agent("ddpg", BOX, ACTIONS, CPU, noise_type="pink")


@pytest.mark.parametrize("name", ["dqn", "ddpg", "ac", "reinforce"])
def test_lr_decay_steps_anneals_every_optimizer_linearly_to_zero(name):
    space = gym.spaces.Discrete(2) if name == "dqn" else ACTIONS
    agent = make_agent(name, BOX, space, CPU, lr_decay_steps=1000)
    initial = [lr for _, lr in agent.initial_lrs]
    assert len(initial) >= 1
    for steps, fraction in [(0, 1.0), (250, 0.75), (1000, 0.0), (5000, 0.0)]:
        agent.env_steps = steps
        agent.anneal_learning_rates()
        assert [opt.lr for opt, _ in agent.initial_lrs] == pytest.approx([lr * fraction for lr in initial])


def test_without_lr_decay_steps_the_learning_rate_stays_put_through_updates():
    agent = make_agent("dqn", BOX, gym.spaces.Discrete(2), CPU, learning_starts=0, batch_size=4)
    decaying = make_agent("dqn", BOX, gym.spaces.Discrete(2), CPU, learning_starts=0, batch_size=4,
                          lr_decay_steps=100)
    for _ in range(20):
        for a in (agent, decaying):
            a.observe(Transition(obs=torch.zeros(2, 3), action=torch.zeros(2, dtype=torch.long),
                                 reward=torch.zeros(2), next_obs=torch.zeros(2, 3), terminated=torch.zeros(2),
                                 done=torch.zeros(2)))
            a.update()
    assert agent.q_opt.lr == 1e-3
    assert decaying.q_opt.lr == pytest.approx(1e-3 * (1 - 40 / 100))  # annealed at the last update, 40 env steps in
