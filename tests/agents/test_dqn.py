"""DQN's math on hand-built numbers, the agent's contract with the trainer, and a CLI smoke run."""

from __future__ import annotations

import json

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.dqn import DQN, epsilon_greedy, linear_epsilon, next_state_value, q_loss
from rlkit.agents.targets import td_target
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")


def test_target_uses_max_over_next_actions_and_no_bootstrap_on_termination():
    next_q_target = torch.tensor([[1.0, 5.0], [2.0, 0.0], [3.0, 4.0]])
    next_v = next_state_value(next_q_target)
    assert torch.equal(next_v, torch.tensor([5.0, 2.0, 4.0]))
    reward, terminated = torch.tensor([1.0, 1.0, 0.5]), torch.tensor([0.0, 1.0, 0.0])  # row 3: truncated
    assert torch.allclose(td_target(reward, next_v, terminated, gamma=0.9), torch.tensor([5.5, 1.0, 4.1]))


def test_double_dqn_picks_with_online_net_and_scores_with_target_net():
    next_q_target = torch.tensor([[1.0, 5.0], [2.0, 0.0]])
    next_q_online = torch.tensor([[9.0, 0.0], [0.0, 1.0]])  # argmax: action 0, then action 1
    assert torch.equal(next_state_value(next_q_target, next_q_online), torch.tensor([1.0, 0.0]))


def test_mse_loss_is_half_squared_error_with_constant_target():
    q = torch.tensor([1.0, 3.0], requires_grad=True)
    target = torch.tensor([2.0, 1.0], requires_grad=True)
    loss = q_loss(q, target, "mse")
    assert loss.item() == pytest.approx(0.5 * (1.0 + 4.0) / 2)
    loss.backward()
    assert torch.allclose(q.grad, torch.tensor([-0.5, 1.0]))
    assert target.grad is None


def test_huber_loss_is_quadratic_near_zero_and_linear_beyond():
    q = torch.tensor([0.5, 4.0], requires_grad=True)
    loss = q_loss(q, torch.zeros(2), "huber")
    assert loss.item() == pytest.approx((0.5 * 0.25 + (4.0 - 0.5)) / 2)
    loss.backward()
    assert torch.allclose(q.grad, torch.tensor([0.25, 0.5]))  # gradient capped at 1 per sample, / batch


def test_epsilon_schedule_is_linear_then_flat():
    assert linear_epsilon(0, 1.0, 0.1, 100) == pytest.approx(1.0)
    assert linear_epsilon(50, 1.0, 0.1, 100) == pytest.approx(0.55)
    assert linear_epsilon(1000, 1.0, 0.1, 100) == pytest.approx(0.1)


def test_epsilon_greedy_is_greedy_at_zero_and_uniform_at_one():
    q = torch.tensor([[0.0, 1.0, 0.0]]).repeat(3000, 1)
    assert torch.all(epsilon_greedy(q, 0.0) == 1)
    counts = torch.bincount(epsilon_greedy(q, 1.0), minlength=3)
    assert counts.min() > 850  # each of 3 actions ≈ 1000 times
    frac_greedy = (epsilon_greedy(q, 0.3) == 1).float().mean().item()
    assert frac_greedy == pytest.approx(0.7 + 0.3 / 3, abs=0.04)


def cartpole_agent(**kwargs) -> DQN:
    env = gym.make("CartPole-v1")
    return make_agent("dqn", env.observation_space, env.action_space, CPU, **kwargs)


def fake_transition(n: int) -> Transition:
    return Transition(obs=torch.randn(n, 4), action=torch.randint(0, 2, (n,)), reward=torch.ones(n),
                      next_obs=torch.randn(n, 4), terminated=(torch.rand(n) < 0.1).float(),
                      done=torch.zeros(n))


def test_actions_are_valid_indices_and_evaluation_is_deterministic():
    agent = cartpole_agent()
    obs = torch.randn(64, 4)
    explored = agent.act(obs, explore=True)
    assert explored.shape == (64,) and explored.dtype == torch.long
    assert explored.min() >= 0 and explored.max() <= 1
    assert torch.equal(agent.act(obs, explore=False), agent.q_net(obs).argmax(-1))


def test_update_waits_for_learning_starts_then_changes_q_net_and_copies_target():
    agent = cartpole_agent(learning_starts=32, batch_size=16, target_update_interval=2)
    agent.observe(fake_transition(16))
    assert agent.update() is None
    agent.observe(fake_transition(16))
    before = [p.detach().clone() for p in agent.q_net.parameters()]
    metrics = agent.update()
    assert set(metrics) == {"losses/td_loss", "losses/q_mean"}
    assert any(not torch.equal(a, b) for a, b in zip(before, agent.q_net.parameters(), strict=True))
    assert all(torch.equal(a, b) for a, b in zip(before, agent.q_target.parameters(), strict=True))
    agent.observe(fake_transition(16))
    agent.update()  # the second gradient step: the target becomes an exact copy
    assert all(torch.equal(a, b) for a, b in zip(agent.q_net.parameters(), agent.q_target.parameters(),
                                                 strict=True))


def test_train_freq_and_gradient_steps_set_the_number_of_updates():
    agent = cartpole_agent(learning_starts=0, batch_size=8, train_freq=2, gradient_steps=3)
    for _ in range(4):
        agent.observe(fake_transition(8))
        agent.update()
    assert agent.gradient_updates == 2 * 3


def test_state_dict_round_trip_restores_networks_optimizer_and_buffer():
    agent = cartpole_agent(learning_starts=8, batch_size=8)
    for _ in range(3):
        agent.observe(fake_transition(8))
        agent.update()
    clone = cartpole_agent(learning_starts=8, batch_size=8)
    clone.load_state_dict(agent.state_dict())
    obs = torch.randn(5, 4)
    assert torch.equal(clone.q_net(obs), agent.q_net(obs))
    assert torch.equal(clone.q_target(obs), agent.q_target(obs))
    assert (clone.env_steps, clone.gradient_updates, len(clone.buffer)) == (24, 3, 24)
    assert torch.equal(clone.buffer.storage["action"][:24], agent.buffer.storage["action"][:24])
    assert clone.q_opt.state_dict()["steps"][0] == agent.q_opt.state_dict()["steps"][0]


def test_continuous_action_space_is_refused_in_one_line():
    env = gym.make("Pendulum-v1")
    with pytest.raises(ConfigError, match="dqn needs a Discrete action space") as info:
        make_agent("dqn", env.observation_space, env.action_space, CPU)
    assert "\n" not in str(info.value)


def test_unknown_loss_is_refused():
    with pytest.raises(ConfigError, match="loss='l1'"):
        cartpole_agent(loss="l1")


def test_cli_refuses_pendulum_with_one_line_error(cli):
    result = cli("agent=dqn", "env=Pendulum-v1", "total_steps=200")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rlkit: error: env=Pendulum-v1: dqn needs a Discrete action space")
    assert "Traceback" not in result.stderr


def test_cli_smoke_run_writes_run_dir(cli, tmp_path):
    result = cli("agent=dqn", "env=CartPole-v1", "total_steps=400", "num_envs=2", "eval.every=200",
                 "eval.episodes=2", "agent.learning_starts=100", "agent.batch_size=32")
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["agent"] == "dqn" and summary["env_steps"] == 400 and summary["updates"] > 0
    assert (run / "metrics.csv").exists() and (run / "checkpoints" / "last.pt").exists()
