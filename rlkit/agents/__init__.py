"""Agents, each registered by name; importing this package registers the built-in ones."""

from rlkit.agents import ddpg  # noqa: F401 - registers "ddpg"
from rlkit.agents.base import AGENTS, Agent, make_agent, register_agent

__all__ = ["AGENTS", "Agent", "make_agent", "register_agent"]
