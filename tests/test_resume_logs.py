"""A run resumed from an earlier checkpoint keeps what was logged up to it and logs the rest once: metrics.csv
drops only the later rows, TensorBoard purges the later events; an env that cannot be pickled restarts episodes."""

from __future__ import annotations

import csv
import shutil
import threading

import gymnasium as gym
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from rlkit.checkpoint import load_checkpoint
from rlkit.run import train
from tests.conftest import composed

SHORT = ("agent=ddpg", "env=Pendulum-v1", "agent.learning_starts=100", "eval.every=300", "eval.episodes=1",
         "checkpoint.every=300", "log_every=100")


def csv_steps(run_dir) -> list[int]:
    with (run_dir / "metrics.csv").open() as f:
        return [int(row["env_step"]) for row in csv.DictReader(f)]


def test_resume_from_an_earlier_checkpoint_rewinds_csv_and_tensorboard(tmp_path):
    train(composed(*SHORT, "total_steps=300", "logger=tensorboard"), tmp_path)
    at_300 = tmp_path / "at-300.pt"
    shutil.copy(tmp_path / "checkpoints" / "last.pt", at_300)
    train(composed(*SHORT, "total_steps=600", "logger=tensorboard", "resume=true"), tmp_path)
    once = csv_steps(tmp_path)
    shutil.copy(at_300, tmp_path / "checkpoints" / "last.pt")  # as if the run had been killed after step 300
    train(composed(*SHORT, "total_steps=600", "logger=tensorboard", "resume=true"), tmp_path)
    assert csv_steps(tmp_path) == once and once[-1] == 600 and once.count(300) >= 1
    events = EventAccumulator(str(tmp_path / "tensorboard"), size_guidance={"scalars": 0})
    events.Reload()
    steps = [e.step for e in events.Scalars("eval/return_mean")]
    assert steps == [300, 600]  # the rewound 600 was purged, not shown twice


class LockedPendulum(gym.Wrapper):
    """Pendulum holding a lock: it cannot be pickled, like an env with a simulator handle."""

    def __init__(self) -> None:
        super().__init__(gym.make("Pendulum-v1"))
        self.lock = threading.Lock()


def test_env_that_cannot_be_pickled_warns_once_and_resumes_with_fresh_episodes(tmp_path):
    gym.register("LockedPendulum-v0", entry_point=LockedPendulum, max_episode_steps=200)
    try:
        overrides = ("agent=ddpg", "env=LockedPendulum-v0", *SHORT[2:])
        with pytest.warns(RuntimeWarning, match="env LockedPendulum-v0 cannot be pickled") as caught:
            train(composed(*overrides, "total_steps=300"), tmp_path)
        assert sum("cannot be pickled" in str(w.message) for w in caught) == 1
        assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["env"]["envs"] is None
        with pytest.warns(RuntimeWarning):
            summary = train(composed(*overrides, "total_steps=600", "resume=true"), tmp_path)
        assert summary["env_steps"] == 600
    finally:
        gym.registry.pop("LockedPendulum-v0")


def test_a_box2d_env_resumes_with_fresh_episodes_not_as_an_unreset_copy(tmp_path):
    pytest.importorskip("Box2D", reason="Box2D envs: pip install -e '.[box2d]'")
    overrides = ("agent=ddpg", "env=LunarLanderContinuous-v3", *SHORT[2:])
    with pytest.warns(RuntimeWarning, match=r"env LunarLanderContinuous-v3 cannot be pickled .*EzPickle"):
        train(composed(*overrides, "total_steps=300"), tmp_path)
    with pytest.warns(RuntimeWarning):
        summary = train(composed(*overrides, "total_steps=600", "resume=true"), tmp_path)  # stepped an unreset env
    assert summary["env_steps"] == 600
