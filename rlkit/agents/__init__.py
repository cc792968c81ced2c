"""Agents, each registered by name; importing this package registers the built-in ones."""

from rlkit.agents import (
    ac,  # noqa: F401 - registers "ac"
    ddpg,  # noqa: F401 - registers "ddpg"
    dqn,  # noqa: F401 - registers "dqn"
    reinforce,  # noqa: F401 - registers "reinforce"
    td3,  # noqa: F401 - registers "td3"
)
from rlkit.agents.base import AGENTS, Agent, make_agent, register_agent

__all__ = ["AGENTS", "Agent", "make_agent", "register_agent"]
