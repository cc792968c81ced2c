"""Hydra's own errors (a bad override, a config group option that does not exist) as one rlkit error line."""

from __future__ import annotations

import difflib
import re

from hydra.errors import MissingConfigException, OverrideParseException

from rlkit.schema import AGENT_KEYS, TOP_KEYS


def describe(exc: BaseException) -> str:
    """``<key>=<value>: <what is accepted>`` where the error names an override, else its first lines joined."""
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
        key = match.group(1)
        known = [k.path for k in TOP_KEYS] + [f"agent.{name}" for name in AGENT_KEYS]
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        return f"{key}: unknown key; {hint}add a new key with +{key}=..., list the keys with --cfg job"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith(("Config search path", "provider=", "Set the environment"))]
    return " ".join(lines[:4]) or type(exc).__name__
