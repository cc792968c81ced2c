"""``Agent.envs_restarted``: when a resumed run had to reset its envs (they could not be saved), the steps an agent
holds of the interrupted episodes end at the last held step, as a time limit would, instead of running on into
the new episodes. The trainer calls it exactly then."""

from __future__ import annotations

import threading

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.nstep import NStepWindow
from rlkit.agents.reinforce import Reinforce, episode_complete
from rlkit.envs.vector import Transition
from rlkit.run import train
from tests.conftest import composed

CPU = torch.device("cpu")


def step(t: int, envs: int = 2, done: float = 0.0) -> Transition:
    """Reward 1 per step; next_obs holds t + 1, so a transition says which step its bootstrap state came from."""
    return Transition(obs=torch.full((envs, 4), float(t)), action=torch.zeros(envs, dtype=torch.long),
                      reward=torch.ones(envs), next_obs=torch.full((envs, 4), float(t + 1)),
                      terminated=torch.zeros(envs), done=torch.full((envs,), done))


def agent(name: str, **kwargs):
    env = gym.make("CartPole-v1")
    return make_agent(name, env.observation_space, env.action_space, CPU, **kwargs)


def test_reinforce_uses_the_interrupted_episodes_as_truncated_ones():
    reinforce = agent("reinforce", rollout_steps=100)
    for t in range(3):
        reinforce.observe(step(t))
    reinforce.envs_restarted()
    reinforce.observe(step(3))  # the first step of the new episodes
    rows = reinforce.rows()
    assert rows["done"][:, 0].tolist() == [0.0, 0.0, 1.0, 0.0]
    assert episode_complete(rows["done"])[:3].all() and not episode_complete(rows["done"])[3].any()


def test_reinforce_truncates_carried_rows_when_nothing_is_pending():
    reinforce = agent("reinforce", rollout_steps=2)
    reinforce.observe(step(0))
    reinforce.observe(step(1))
    assert reinforce.update() is None and reinforce.carry["done"].shape[0] == 2  # nothing finished: carried
    reinforce.envs_restarted()
    reinforce.observe(step(2))
    reinforce.observe(step(3))
    assert reinforce.update() is not None  # the two carried steps of each env, now a finished episode
    assert reinforce.carry["obs"][:, 0, 0].tolist() == [2.0, 3.0]


def test_ac_rollout_ends_at_the_last_held_step_and_keeps_its_bootstrap():
    ac = agent("ac", n_steps=4)
    for t in range(2):
        ac.observe(step(t))
    ac.envs_restarted()
    last = ac.pending[-1]
    assert last[-1].tolist() == [1.0, 1.0]  # done
    assert last[-2].tolist() == [0.0, 0.0]  # terminated unchanged: the target bootstraps from next_obs
    assert last[3][0, 0].item() == 2.0  # next_obs of the old episode, not of the new one
    assert ac.pending[0][-1].tolist() == [0.0, 0.0]


def test_nstep_window_does_not_sum_rewards_across_the_restart():
    window = NStepWindow(3, gamma=0.5)
    window.push(step(0))
    window.push(step(1))
    window.truncate()
    out = window.push(step(2))  # step 0's transition: its episode now ends at step 1
    assert out.reward.tolist() == [1.5, 1.5]  # 1 + 0.5·1, not 1 + 0.5 + 0.25
    assert out.next_obs[0, 0].item() == 2.0 and out.discount.tolist() == [0.25, 0.25]


class LockedCartPole(gym.Wrapper):
    """CartPole holding a lock: it cannot be pickled, like an env with a simulator handle."""

    def __init__(self) -> None:
        super().__init__(gym.make("CartPole-v1"))
        self.lock = threading.Lock()


def test_the_trainer_tells_the_agent_only_when_it_had_to_reset_the_envs(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(Reinforce, "envs_restarted", lambda self: calls.append(self.env_steps))
    short = ("agent=reinforce", "agent.rollout_steps=64", "eval.every=256", "eval.episodes=1",
             "checkpoint.every=256", "num_envs=2")
    train(composed(*short, "env=CartPole-v1", "total_steps=256"), tmp_path / "picklable")
    train(composed(*short, "env=CartPole-v1", "total_steps=512", "resume=true"), tmp_path / "picklable")
    assert calls == []
    gym.register("LockedCartPole-v0", entry_point=LockedCartPole, max_episode_steps=500)
    try:
        with pytest.warns(RuntimeWarning, match="cannot be pickled"):
            train(composed(*short, "env=LockedCartPole-v0", "total_steps=256"), tmp_path / "locked")
        with pytest.warns(RuntimeWarning, match="cannot be pickled"):
            train(composed(*short, "env=LockedCartPole-v0", "total_steps=512", "resume=true"), tmp_path / "locked")
        assert calls == [256]
    finally:
        gym.registry.pop("LockedCartPole-v0")
