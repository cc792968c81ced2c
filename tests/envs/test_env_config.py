"""The env config group: any id composes, known ids bring their constructor defaults, kwargs from the CLI."""

from __future__ import annotations

from pathlib import Path

import gymnasium as gym
import pytest
import yaml
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from hydra.errors import ConfigCompositionException
from omegaconf import open_dict

from rlkit.config import register_resolvers, to_plain

CONF_ENV = Path(__file__).resolve().parents[2] / "conf" / "env"
# Acrobot-v1 deliberately has no file: it is the documented example of a registered id on generic defaults.
CLASSIC = ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Pendulum-v1"]


def env_config(*overrides: str) -> dict:
    register_resolvers()
    with initialize_config_module(config_module="rlkit.conf", version_base=None):
        cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)
        with open_dict(cfg):
            cfg.pop("hydra")
        return to_plain(cfg)["env"]


@pytest.mark.parametrize("env_id", CLASSIC)
def test_each_classic_control_file_makes_its_env(env_id):
    assert (CONF_ENV / f"{env_id}.yaml").is_file()
    kwargs = yaml.safe_load((CONF_ENV / f"{env_id}.yaml").read_text())["kwargs"]
    gym.make(env_id, **kwargs).close()  # every declared argument is one the constructor accepts


@pytest.mark.parametrize("env_id", ["Acrobot-v1", "FrozenLake-v1"])
def test_an_id_without_a_file_gets_the_generic_defaults(env_id):
    assert not (CONF_ENV / f"{env_id}.yaml").exists()
    assert env_config(f"env={env_id}") == {"id": env_id, "kwargs": {}, "max_episode_steps": None,
                                               "preprocess": "auto", "check": False}


def test_kwargs_from_the_command_line():
    assert env_config("env=Pendulum-v1", "env.kwargs.g=9.81")["kwargs"] == {"g": 9.81}  # declared key
    assert env_config("env=Acrobot-v1", "++env.kwargs.extra=1")["kwargs"] == {"extra": 1}  # any key
    assert env_config("env=Pendulum-v1", "++env.kwargs.g=3")["kwargs"] == {"g": 3}  # ++ also overrides
    assert env_config("env=Pendulum-v1", "env.check=true")["check"] is True
    with pytest.raises(ConfigCompositionException):  # an undeclared key without ++ (documented)
        env_config("env=Acrobot-v1", "env.kwargs.extra=1")


MINATAR = sorted(p.stem for p in (CONF_ENV / "MinAtar").glob("*.yaml"))


def test_every_minatar_game_has_a_file_with_a_step_cap():
    assert MINATAR == ["Asterix-v1", "Breakout-v1", "Freeway-v1", "Seaquest-v1", "SpaceInvaders-v1"]
    for game in MINATAR:  # MinAtar registers no time limit: without a cap a good policy's evaluation never ends
        env = env_config(f"env=MinAtar/{game}")
        assert env["id"] == f"MinAtar/{game}" and env["preprocess"] == "minatar"
        assert isinstance(env["max_episode_steps"], int) and 0 < env["max_episode_steps"] <= 10_000
