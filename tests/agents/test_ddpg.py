"""DDPG's math on hand-built numbers, and the agent's contract with the trainer."""

from __future__ import annotations

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.ddpg import DDPG, actor_loss, critic_loss
from rlkit.agents.targets import soft_update, td_target
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")


def test_td_target_bootstraps_unless_terminated():
    reward = torch.tensor([1.0, 1.0, -2.0])
    next_q = torch.tensor([10.0, 10.0, 4.0])
    terminated = torch.tensor([0.0, 1.0, 0.0])  # the third is a time-limit truncation: still bootstraps
    assert torch.allclose(td_target(reward, next_q, terminated, gamma=0.9), torch.tensor([10.0, 1.0, 1.6]))


def test_critic_loss_is_half_squared_error_and_treats_target_as_constant():
    q = torch.tensor([1.0, 3.0], requires_grad=True)
    target = torch.tensor([2.0, 1.0], requires_grad=True)
    loss = critic_loss(q, target)
    assert loss.item() == pytest.approx(0.5 * (1.0 + 4.0) / 2)
    loss.backward()
    assert torch.allclose(q.grad, torch.tensor([-0.5, 1.0]))  # (q - y) / batch
    assert target.grad is None


def test_actor_gradient_is_chain_of_dpi_dtheta_and_dq_da():
    # q(s,a) = -(a - 2)^2, π(s;θ) = θ·s: dq/da = -2(a - 2), dπ/dθ = s → ∇θ J = mean(s · -2(θs - 2))
    theta = torch.tensor(0.5, requires_grad=True)
    s = torch.tensor([1.0, 2.0])
    actor_loss(-(theta * s - 2).pow(2)).backward()
    expected = -(s * -2 * (theta.detach() * s - 2)).mean()
    assert theta.grad.item() == pytest.approx(expected.item())


def test_soft_update_moves_target_by_tau():
    online, target = torch.nn.Linear(2, 1), torch.nn.Linear(2, 1)
    before = target.weight.detach().clone()
    soft_update(target, online, tau=0.25)
    assert torch.allclose(target.weight, 0.75 * before + 0.25 * online.weight)
    soft_update(list(target.parameters()), list(online.parameters()), tau=1.0)
    assert torch.equal(target.weight, online.weight)


def pendulum_agent(**kwargs) -> DDPG:
    env = gym.make("Pendulum-v1")
    return make_agent("ddpg", env.observation_space, env.action_space, CPU, **kwargs)


def fake_transition(n: int) -> Transition:
    return Transition(
        obs=torch.randn(n, 3),
        action=torch.rand(n, 1) * 4 - 2,
        reward=torch.randn(n),
        next_obs=torch.randn(n, 3),
        terminated=torch.zeros(n),
        done=torch.zeros(n),
    )


def test_actions_respect_bounds_and_evaluation_is_deterministic():
    agent = pendulum_agent(learning_starts=0, exploration_noise=5.0)
    obs = torch.randn(64, 3)
    explored = agent.act(obs, explore=True)
    assert explored.shape == (64, 1) and explored.abs().max() <= 2.0
    assert torch.equal(agent.act(obs, explore=False), agent.act(obs, explore=False))


def test_update_waits_for_learning_starts_then_changes_networks():
    agent = pendulum_agent(learning_starts=32, batch_size=16)
    agent.observe(fake_transition(16))
    assert agent.update() is None
    agent.observe(fake_transition(16))
    actor_before = [p.detach().clone() for p in agent.actor.parameters()]
    metrics = agent.update()
    assert set(metrics) == {"losses/critic_loss", "losses/actor_loss", "losses/q_mean"}
    assert any(not torch.equal(a, b) for a, b in zip(actor_before, agent.actor.parameters(), strict=True))


def test_state_dict_round_trip_restores_networks_optimizers_and_buffer():
    agent = pendulum_agent(learning_starts=8, batch_size=8)
    for _ in range(3):
        agent.observe(fake_transition(8))
        agent.update()
    clone = pendulum_agent(learning_starts=8, batch_size=8)
    clone.load_state_dict(agent.state_dict())
    obs = torch.randn(5, 3)
    assert torch.equal(clone.act(obs, explore=False), agent.act(obs, explore=False))
    assert clone.env_steps == agent.env_steps and len(clone.buffer) == len(agent.buffer) == 24
    assert torch.equal(clone.buffer.storage["obs"][:24], agent.buffer.storage["obs"][:24])
    steps = [a.actor_opt.state_dict()["steps"][0] for a in (clone, agent)]
    assert steps[0] == steps[1] > 0


def test_discrete_action_space_is_refused():
    env = gym.make("CartPole-v1")
    with pytest.raises(ConfigError, match="ddpg drives continuous Box action spaces"):
        make_agent("ddpg", env.observation_space, env.action_space, CPU)


def test_unknown_option_is_named():
    with pytest.raises(ConfigError, match="no option lr"):
        pendulum_agent(lr=0.1)
