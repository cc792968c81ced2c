"""rlkit: deep-RL agents (DQN, REINFORCE, actor-critic, DDPG) on gymnasium, built from hand-derived layers.

``rlkit.register_env`` and ``rlkit.register_agent`` are the Python side of the plugins (docs/plugins.md).
They are imported on first use, so ``import rlkit`` stays cheap (no torch, no gymnasium).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {"register_env": "rlkit.envs.plugins", "register_agent": "rlkit.agents"}

__all__ = ["__version__", "register_agent", "register_env"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rlkit' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
