"""Prioritised replay (rlkit/prioritized.py): draws in proportion to priority, importance weights, β schedule,
block sums kept equal to the priorities, checkpoint round trip, and dqn's weighted loss."""

from __future__ import annotations

import gymnasium as gym
import pytest
import torch

from rlkit.agents.dqn import DQN, q_loss
from rlkit.buffers import ReplayBuffer
from rlkit.envs.vector import Transition
from rlkit.prioritized import PrioritizedReplay, beta_at, importance_weights

CPU = torch.device("cpu")


def steps(buffer, n_rows: int, envs: int = 1, start: int = 0) -> None:
    """Adds ``n_rows`` rows whose observation is the row's number."""
    for i in range(start, start + n_rows, envs):
        obs = torch.arange(i, i + envs, dtype=torch.float32).unsqueeze(1)
        buffer.add(Transition(obs=obs, action=torch.zeros(envs), reward=torch.zeros(envs), next_obs=obs + 1,
                              terminated=torch.zeros(envs), done=torch.zeros(envs)))


def replay(capacity: int, **kwargs) -> PrioritizedReplay:
    return PrioritizedReplay(ReplayBuffer(capacity, (1,), (), CPU), **kwargs)


def test_beta_rises_linearly_to_one_and_stays_without_a_schedule():
    assert beta_at(0, 0.4, 100) == 0.4
    assert beta_at(50, 0.4, 100) == pytest.approx(0.7)
    assert beta_at(500, 0.4, 100) == 1.0
    assert beta_at(10**6, 0.4, None) == 0.4


def test_importance_weights_on_hand_numbers():
    # N = 4, P = (0.5, 0.25): N·P = (2, 1); β = 1 gives (0.5, 1), divided by the largest: (0.5, 1)
    w = importance_weights(torch.tensor([0.5, 0.25]), 4, 1.0)
    assert torch.allclose(w, torch.tensor([0.5, 1.0]))
    assert torch.allclose(importance_weights(torch.tensor([0.5, 0.25]), 4, 0.0), torch.ones(2))


def test_new_rows_get_the_largest_priority_and_updates_set_the_drawn_rows():
    buffer = replay(10, alpha=1.0)
    steps(buffer, 4)
    assert torch.equal(buffer.priority[:4], torch.ones(4)) and buffer.priority[4:].sum() == 0
    buffer.update_priorities(torch.tensor([1, 2]), torch.tensor([3.0, 0.5]))
    assert buffer.priority[1] == pytest.approx(3.0, abs=1e-5) and buffer.priority[2] == pytest.approx(0.5, abs=1e-5)
    steps(buffer, 1, start=4)
    assert buffer.priority[4] == pytest.approx(3.0, abs=1e-5)  # the largest seen so far


def test_block_sums_equal_the_priorities_after_adds_wraps_and_updates():
    torch.manual_seed(0)
    buffer = replay(50, alpha=0.7)  # blocks of 8 rows; the ring wraps
    steps(buffer, 120, envs=4)
    for _ in range(30):
        index = torch.randint(0, len(buffer), (16,))
        buffer.update_priorities(index, torch.rand(16) * 5)
    expected = buffer.priority.view(-1, buffer.block).sum(dim=1)
    assert torch.allclose(buffer.block_sum, expected)


def test_rows_are_drawn_in_proportion_to_their_priority():
    torch.manual_seed(0)
    buffer = replay(100, alpha=1.0)
    steps(buffer, 100)
    priorities = torch.linspace(0.1, 10.0, 100)
    buffer.update_priorities(torch.arange(100), priorities - 1e-6)
    counts = torch.zeros(100)
    for _ in range(200):
        batch = buffer.sample(500)
        assert torch.equal(batch["obs"].squeeze(1).long(), batch["index"])  # the rows at the drawn indices
        counts += torch.bincount(batch["index"], minlength=100)
    frequency = counts / counts.sum()
    expected = priorities / priorities.sum()
    assert (frequency - expected).abs().max() < 0.002  # 100k draws: a few thousandths of binomial noise


def test_alpha_zero_is_uniform_replay_with_unit_weights():
    torch.manual_seed(1)
    buffer = replay(64, alpha=0.0, beta=1.0)
    steps(buffer, 40)
    buffer.update_priorities(torch.arange(40), torch.rand(40) * 100)
    batch = buffer.sample(20000)
    assert torch.allclose(batch["weight"], torch.ones(20000))
    assert batch["index"].max() < 40  # never a row not written yet
    counts = torch.bincount(batch["index"], minlength=40).float()
    assert (counts / 20000 - 1 / 40).abs().max() < 0.01


def test_a_restored_buffer_draws_the_same_batches():
    torch.manual_seed(2)
    buffer = replay(30, alpha=0.6)
    steps(buffer, 45, envs=3)
    buffer.update_priorities(torch.arange(30), torch.rand(30))
    clone = replay(30, alpha=0.6)
    clone.load_state_dict(buffer.state_dict())
    assert torch.allclose(clone.block_sum, buffer.block_sum) and clone.max_priority == buffer.max_priority
    torch.manual_seed(3)
    a = buffer.sample(64)
    torch.manual_seed(3)
    b = clone.sample(64)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_the_weighted_loss_is_the_weighted_mean_of_each_sample_loss():
    q, y, w = torch.tensor([0.0, 1.0, 4.0]), torch.tensor([1.0, 1.0, 1.0]), torch.tensor([1.0, 0.5, 0.25])
    assert q_loss(q, y, "mse", w) == pytest.approx((0.5 * 1 + 0 + 0.25 * 4.5) / 3)
    assert q_loss(q, y, "huber", w) == pytest.approx((0.5 * 1 + 0 + 0.25 * 2.5) / 3)
    assert q_loss(q, y, "mse", torch.ones(3)) == pytest.approx(float(q_loss(q, y, "mse")))


def test_dqn_learns_from_prioritised_rows_and_sets_their_priorities():
    torch.manual_seed(0)
    space = gym.spaces.Box(-1.0, 1.0, (3,))
    agent = DQN(space, gym.spaces.Discrete(2), CPU, batch_size=8, learning_starts=16, prioritized=True,
                priority_alpha=1.0, priority_beta=0.4, priority_beta_steps=100)
    for _ in range(40):
        obs = torch.rand(1, 3)
        agent.observe(Transition(obs=obs, action=torch.randint(0, 2, (1,)), reward=torch.rand(1), next_obs=obs,
                                 terminated=torch.zeros(1), done=torch.zeros(1)))
        metrics = agent.update()
    assert metrics is not None and "td_abs" not in metrics  # the per-sample errors go to the buffer, not the log
    assert agent.buffer.beta == pytest.approx(0.4 + 0.6 * 40 / 100)
    assert (agent.buffer.priority[:40] != 1.0).any()  # drawn rows now hold |δ| + ε
    restored = DQN(space, gym.spaces.Discrete(2), CPU, batch_size=8, learning_starts=16, prioritized=True,
                   priority_alpha=1.0)
    restored.load_extra_state(agent.extra_state())
    assert torch.equal(restored.buffer.priority, agent.buffer.priority)
