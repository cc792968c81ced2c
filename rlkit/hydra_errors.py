"""Hydra's own errors (a bad override, a config group option that does not exist) as one rlkit error line."""

from __future__ import annotations

import difflib
import re

import yaml
from hydra.errors import MissingConfigException, OverrideParseException

from rlkit.help import conf_dir
from rlkit.schema import AGENT_KEYS, TOP_KEYS


def agent_conf_keys(agent: str) -> set[str] | None:
    """The option names of ``conf/agent/<agent>.yaml`` (not its Hydra ``defaults`` list); None for an agent
    without one (a plugin's)."""
    path = conf_dir() / "agent" / f"{agent}.yaml"
    if not re.fullmatch(r"[\w.-]+", agent) or not path.is_file():
        return None
    return set(yaml.safe_load(path.read_text()) or {}) - {"defaults"}


def default_agent() -> str:
    """The agent conf/config.yaml's defaults list picks when the command line names none."""
    defaults = yaml.safe_load((conf_dir() / "config.yaml").read_text())["defaults"]
    return next(entry[key] for entry in defaults if isinstance(entry, dict) for key in entry
                if key.split()[-1] == "agent")


def agents_named(argv: list[str]) -> list[str]:
    """The agents a command line runs: its last ``agent=`` (a multirun's comma list), else conf's default."""
    agents = [default_agent()]
    for arg in argv:
        key, eq, value = arg.lstrip("+").partition("=")
        if key == "agent" and eq:
            agents = [name.strip() for name in value.split(",")]
    return agents


def unknown_key(key: str, argv: list[str]) -> str:
    """The line for an override of a key no config has: the agents it is unknown to, and the nearest keys of
    theirs (not the union of every agent's, which in ``-m agent=dqn,ac agent.epsilon_end=0.1`` suggested the
    rejected key itself)."""
    known = [k.path for k in TOP_KEYS] + [f"agent.{name}" for name in AGENT_KEYS]
    whose = ""
    if key.startswith("agent."):
        keys = {agent: agent_conf_keys(agent) for agent in agents_named(argv)}
        lacking = [agent for agent, names in keys.items() if names is not None and key[6:] not in names]
        if lacking:
            whose = f" of agent {', '.join(lacking)}"
            known = [f"agent.{name}" for name in sorted(set().union(*(keys[agent] for agent in lacking)))]
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    return f"{key}: unknown key{whose}; {hint}add a new key with +{key}=..., list the keys with --cfg job"


def describe(exc: BaseException, argv: list[str] = ()) -> str:
    """``<key>=<value>: <what is accepted>`` where the error names an override, else its first lines joined;
    ``argv`` (the command line) says which agents an unknown ``agent.<key>`` was meant for."""
    if isinstance(exc, OSError) and exc.filename:  # Hydra could not create the run dir
        return f"hydra.run.dir={exc.filename}: cannot create the run dir ({exc.strerror})"
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file and exc.options is not None:
        group, _, option = str(exc.missing_cfg_file).rpartition("/")
        return f"{group}={option}: no such option; available: {', '.join(sorted(exc.options))}"
    if isinstance(exc, OverrideParseException):
        return f"{exc.override}: cannot parse this override ({' '.join(exc.message.split())})"
    text = str(exc)
    match = re.match(r"Could not override '([^']+)'", text)
    if match:
        return unknown_key(match.group(1), list(argv))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Config search path", "provider=", "Set the environment"))]
    return " ".join(lines[:4]) or type(exc).__name__
