"""conf/agent/<agent>.yaml is the agent's documented defaults: exactly its constructor's options and values."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
import yaml

from rlkit.agents import AGENTS

CONF_AGENT = Path(__file__).resolve().parents[2] / "conf" / "agent"


@pytest.mark.parametrize("name", ["ac", "ddpg", "dqn", "reinforce", "td3"])
def test_config_defaults_match_the_constructor(name):
    conf = yaml.safe_load((CONF_AGENT / f"{name}.yaml").read_text())
    conf.pop("defaults", None)  # Hydra's defaults list (td3 picks the 256×256 network there), not an option
    params = inspect.signature(AGENTS.get(name)).parameters
    assert set(conf) == set(params) - {"observation_space", "action_space", "device", "network"}
    assert all(conf[key] == params[key].default for key in conf), conf
