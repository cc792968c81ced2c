"""``python -m rlkit.bench random``: the random-policy floor, made as the run's evaluation env is, reproducible."""

import importlib.util

import pytest

from rlkit.bench.random_policy import main, random_returns, run_config, summary
from rlkit.envs.make import env_options


def test_env_config_reads_rlkit_env_file_or_nothing():
    pendulum = env_options(run_config("Pendulum-v1"))
    assert pendulum["kwargs"] == {"g": 10.0} and pendulum["max_episode_steps"] is None
    assert env_options(run_config("NoSuchEnv-v0")) == {"env_id": "NoSuchEnv-v0", "kwargs": {},
                                                      "max_episode_steps": None, "preprocess": "auto"}


@pytest.mark.skipif(importlib.util.find_spec("minatar") is None, reason="needs rlkit[minatar]")
def test_minatar_floor_uses_the_capped_env_file():
    assert env_options(run_config("MinAtar/Breakout-v1"))["max_episode_steps"] == 10000
    returns = random_returns("MinAtar/Breakout-v1", episodes=3, seed=1)
    assert len(returns) == 3 and all(r >= 0 for r in returns)


def test_random_returns_are_whole_episodes_and_seeded():
    first = random_returns("CartPole-v1", episodes=5, seed=3)
    assert len(first) == 5 and all(8 <= r <= 500 for r in first)  # CartPole: at least 8 steps before it falls
    assert random_returns("CartPole-v1", episodes=5, seed=3) == first
    assert random_returns("CartPole-v1", episodes=5, seed=4) != first


def test_summary_is_mean_and_std():
    assert summary([1.0, 3.0]) == (2.0, 1.0)


def test_cli_prints_a_row_per_env_and_refuses_zero_episodes(capsys):
    main(["CartPole-v1", "--episodes", "2"])
    out = capsys.readouterr().out
    assert "| CartPole-v1 |" in out and "2 episodes, seed 0" in out
    with pytest.raises(SystemExit):
        main(["CartPole-v1", "--episodes", "0"])
    assert "--episodes=0" in capsys.readouterr().err
