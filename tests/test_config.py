"""Hydra composition: presets from agents_zoo apply automatically, the command line wins, defaults otherwise."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from omegaconf import open_dict

from rlkit.config import register_resolvers, slug, to_plain


def composed(*overrides: str) -> dict:
    register_resolvers()
    with initialize_config_module(config_module="rlkit.conf", version_base=None):
        cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        HydraConfig.instance().set_config(
            cfg
        )  # what @hydra.main does; the config reads hydra:runtime.choices
        with open_dict(cfg):
            cfg.pop("hydra")
        return to_plain(cfg)


def test_default_run_is_ddpg_on_pendulum_with_its_preset():
    cfg = composed()
    assert cfg["agent"]["name"] == "ddpg"
    assert cfg["env"]["id"] == "Pendulum-v1"
    assert cfg["total_steps"] == 10000  # from agents_zoo/ddpg/Pendulum-v1.yaml, not conf/config.yaml's 20000


def test_command_line_beats_preset():
    cfg = composed("agent=ddpg", "env=Pendulum-v1", "total_steps=1234", "agent.learning_starts=7")
    assert cfg["total_steps"] == 1234
    assert cfg["agent"]["learning_starts"] == 7
    assert cfg["agent"]["gamma"] == 0.98  # untouched values still come from agent defaults / preset


def test_no_preset_means_agent_defaults():
    cfg = composed("agent=ddpg", "env=MountainCarContinuous-v0")
    assert cfg["total_steps"] == 20000  # conf/config.yaml's default
    assert cfg["agent"]["learning_starts"] == 1000  # conf/agent/ddpg.yaml
    assert cfg["env"]["id"] == "MountainCarContinuous-v0"


def test_any_env_id_composes_even_without_a_conf_file():
    cfg = composed("env=some.module:Thing-v3")
    assert cfg["env"]["id"] == "some.module:Thing-v3"


@pytest.mark.parametrize(
    ("text", "expected"), [("ALE/Pong-v5", "ALE_Pong-v5"), ("pkg.mod:Env-v0", "pkg.mod_Env-v0")]
)
def test_slug_makes_env_ids_path_safe(text, expected):
    assert slug(text) == expected


@pytest.mark.parametrize(("agent", "env", "total_steps"), [("dqn", "MinAtar/Breakout-v1", 300_000),
                                                           ("reinforce", "MinAtar/Breakout-v1", 500_000),
                                                           ("ac", "MinAtar/Breakout-v1", 500_000),
                                                           ("dqn", "ALE/Breakout-v5", 10_000_000)])
def test_nested_presets_for_namespaced_env_ids_apply(agent, env, total_steps):
    cfg = composed(f"agent={agent}", f"env={env}")  # agents_zoo/<agent>/<namespace>/<game>.yaml
    assert cfg["env"]["id"] == env and cfg["total_steps"] == total_steps
    assert cfg["network"]["hidden"] == [] and cfg["network"]["encoder"] == "auto"
