"""Faults during a run: a non-finite loss or an env that raises stops the run with one line, and the last good
checkpoint survives."""

from __future__ import annotations

import gymnasium as gym
import pytest
import torch

import rlkit.agents.dqn
from rlkit.checkpoint import load_checkpoint
from rlkit.errors import RunError
from rlkit.run import train
from tests.conftest import composed

SHORT = ("agent=dqn", "env=CartPole-v1", "total_steps=3000", "agent.learning_starts=200", "eval.every=3000",
         "eval.episodes=1", "checkpoint.every=400", "log_every=200", "agent.train_freq=1", "agent.gradient_steps=1")


def test_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_loss = rlkit.agents.dqn.q_loss

    def poisoned(q, target, kind="mse"):
        calls["n"] += 1
        loss = real_loss(q, target, kind)
        return loss * float("nan") if calls["n"] == 300 else loss  # the 300th update goes bad

    monkeypatch.setattr(rlkit.agents.dqn, "q_loss", poisoned)
    with pytest.raises(RunError, match=r"losses/td_loss became non-finite at update 300\b"):
        train(composed(*SHORT), tmp_path)
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert 0 < state["progress"]["updates"] < 300  # saved before the poison, never after
    assert all(torch.isfinite(t).all() for t in state["agent"]["q_net"].values())


class ExplodingCartPole(gym.Wrapper):
    """CartPole that raises on its 700th step."""

    def __init__(self) -> None:
        super().__init__(gym.make("CartPole-v1"))
        self.steps = 0

    def step(self, action):
        self.steps += 1
        if self.steps == 700:
            raise RuntimeError("the simulator fell over")
        return self.env.step(action)


def test_env_exception_names_env_and_step_and_saves(tmp_path):
    gym.register("ExplodingCartPole-v0", entry_point=ExplodingCartPole, max_episode_steps=500)
    try:
        with pytest.raises(RunError, match=r"env 'ExplodingCartPole-v0' raised at env step 699: RuntimeError: the "
                                           r"simulator fell over; checkpoint saved"):
            train(composed(*SHORT[:1], "env=ExplodingCartPole-v0", *SHORT[2:]), tmp_path)
    finally:
        gym.registry.pop("ExplodingCartPole-v0")
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["progress"]["env_steps"] == 699
