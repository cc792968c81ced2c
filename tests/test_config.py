"""Hydra composition: presets from agents_zoo apply automatically, the command line wins, defaults otherwise."""

from __future__ import annotations

import pytest

from rlkit.config import slug
from tests.conftest import composed


def test_default_run_is_ddpg_on_pendulum_with_its_preset():
    cfg = composed()
    assert cfg["agent"]["name"] == "ddpg"
    assert cfg["env"]["id"] == "Pendulum-v1"
    assert cfg["agent"]["train_freq"] == 2  # from agents_zoo/ddpg/Pendulum-v1.yaml, not conf/agent/ddpg.yaml's 1
    assert cfg["agent"]["gamma"] == 0.98 and cfg["total_steps"] == 20000


def test_command_line_beats_preset():
    cfg = composed("agent=ddpg", "env=Pendulum-v1", "total_steps=1234", "agent.learning_starts=7")
    assert cfg["total_steps"] == 1234
    assert cfg["agent"]["learning_starts"] == 7
    assert cfg["agent"]["gamma"] == 0.98  # untouched values still come from agent defaults / preset


def test_no_preset_means_agent_defaults():
    cfg = composed("agent=ddpg", "env=BipedalWalker-v3")  # no agents_zoo/ddpg/BipedalWalker-v3.yaml
    assert cfg["total_steps"] == 20000  # conf/config.yaml's default
    assert cfg["agent"]["learning_starts"] == 1000  # conf/agent/ddpg.yaml
    assert cfg["env"]["id"] == "BipedalWalker-v3"


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
