"""rlkit: deep-RL agents (DQN, REINFORCE, actor-critic, DDPG) on gymnasium, built from hand-derived layers.

``rlkit.train`` runs what ``python -m rlkit`` runs; ``rlkit.load`` turns a run dir into a callable policy
(docs/pages/using.md). ``rlkit.register_env`` and ``rlkit.register_agent`` are the Python side of the plugins
(docs/pages/plugins.md). All are imported on first use, so ``import rlkit`` stays cheap (no torch, no gymnasium).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "register_env": "rlkit.envs.plugins",
    "register_agent": "rlkit.agents",
    "train": "rlkit.api",
    "Run": "rlkit.api",
    "load": "rlkit.policy",
    "Policy": "rlkit.policy",
}

__all__ = ["Policy", "Run", "__version__", "load", "register_agent", "register_env", "train"]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rlkit' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
