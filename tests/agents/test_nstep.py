"""dqn's n-step targets (``td_steps``): the window's transitions against a step-by-step reference, the target
they make, checkpointing of the window, and the one-line refusal for pixels."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.nstep import NStepWindow
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")


def random_steps(steps: int, envs: int, seed: int = 0) -> list[Transition]:
    """Episodes of random lengths: ends are terminal or time-limit cuts; next_obs encodes (step, env)."""
    gen = torch.Generator().manual_seed(seed)
    done = (torch.rand(steps, envs, generator=gen) < 0.3).float()
    terminated = done * (torch.rand(steps, envs, generator=gen) < 0.5).float()
    return [Transition(obs=torch.full((envs, 1), float(t)), action=torch.arange(envs),
                       reward=torch.randn(envs, generator=gen),
                       next_obs=(t + 1) * 100.0 + torch.arange(envs, dtype=torch.float32).unsqueeze(1),
                       terminated=terminated[t], done=done[t]) for t in range(steps)]


def reference(steps: list[Transition], t: int, e: int, n: int, gamma: float) -> tuple[float, float, float, float]:
    """(return, next_obs, terminated, discount) of step t of env e, summed one reward at a time."""
    total, k = 0.0, 0
    while k < n:
        step = steps[t + k]
        total += gamma ** k * float(step.reward[e])
        k += 1
        if step.done[e]:
            break
    last = steps[t + k - 1]
    return total, float(last.next_obs[e, 0]), float(last.terminated[e]), gamma ** k


@pytest.mark.parametrize("n", [2, 3, 5])
def test_each_step_leaves_the_window_once_with_rewards_summed_to_n_or_the_episode_end(n):
    gamma, envs = 0.9, 3
    steps = random_steps(40, envs)
    window = NStepWindow(n, gamma)
    out = [window.push(step) for step in steps]
    assert all(o is None for o in out[: n - 1])
    for t, ready in enumerate(out[n - 1:]):
        assert float(ready.obs[0, 0]) == t  # the oldest step of the window, n − 1 steps late
        for e in range(envs):
            total, next_obs, terminated, discount = reference(steps, t, e, n, gamma)
            assert float(ready.reward[e]) == pytest.approx(total, abs=1e-5)
            assert float(ready.next_obs[e, 0]) == next_obs
            assert float(ready.terminated[e]) == terminated
            assert float(ready.discount[e]) == pytest.approx(discount)


def test_the_target_bootstraps_with_gamma_to_the_k_from_the_state_k_steps_on():
    agent = make_agent("dqn", gym.make("CartPole-v1").observation_space, gym.spaces.Discrete(2), CPU,
                       td_steps=3, gamma=0.5, learning_starts=0, batch_size=4, buffer_size=4)
    ones = torch.ones(1)
    for t in range(3):  # one env, rewards 1, 2, 4, no episode end: G = 1 + 0.5·2 + 0.25·4 = 3
        agent.observe(Transition(obs=torch.full((1, 4), float(t)), action=torch.zeros(1, dtype=torch.long),
                                 reward=ones * 2 ** t, next_obs=torch.full((1, 4), t + 1.0),
                                 terminated=0 * ones, done=0 * ones))
    stored = {name: tensor[:1] for name, tensor in agent.buffer.storage.items()}
    assert len(agent.buffer) == 1
    assert float(stored["reward"]) == 3.0 and float(stored["discount"]) == 0.125
    assert torch.equal(stored["next_obs"], torch.full((1, 4), 3.0))
    with torch.no_grad():
        bootstrap = agent.q_target(stored["next_obs"]).max(-1).values
    agent.q_net.load_state_dict(agent.q_target.state_dict())
    metrics = agent.gradient_step(stored)
    q = agent.q_target(stored["obs"])[0, 0]
    assert float(metrics["losses/td_loss"]) == pytest.approx(0.5 * float(q - (3.0 + 0.125 * bootstrap)) ** 2,
                                                             rel=1e-5)


def test_one_td_step_is_the_plain_one_step_agent():
    agent = make_agent("dqn", gym.make("CartPole-v1").observation_space, gym.spaces.Discrete(2), CPU, td_steps=1)
    assert agent.window is None and "discount" not in agent.buffer.storage


def test_the_window_is_checkpointed_so_a_restored_agent_stores_the_same_transitions():
    space = gym.make("CartPole-v1").observation_space
    steps = [Transition(obs=s.obs.repeat(1, 4), action=s.action % 2, reward=s.reward,
                        next_obs=s.next_obs.repeat(1, 4), terminated=s.terminated, done=s.done)
             for s in random_steps(12, 2, seed=1)]
    a, b = (make_agent("dqn", space, gym.spaces.Discrete(2), CPU, td_steps=4) for _ in range(2))
    for step in steps[:6]:
        a.observe(step)
    b.load_state_dict(a.state_dict())
    for step in steps[6:]:
        a.observe(step)
        b.observe(step)
    assert len(a.buffer) == len(b.buffer) == 2 * (12 - 3)
    for name, tensor in a.buffer.storage.items():
        assert torch.equal(tensor[: len(a.buffer)], b.buffer.storage[name][: len(b.buffer)]), name


def test_pixels_are_refused_in_one_line():
    pixels = gym.spaces.Box(0, 255, (4, 10, 10), np.uint8)
    with pytest.raises(ConfigError, match="td_steps=3 needs vector observations"):
        make_agent("dqn", pixels, gym.spaces.Discrete(3), CPU, td_steps=3)
