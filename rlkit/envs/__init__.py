"""Environments: gymnasium ids (and plugins) made into tensor-speaking vector envs.

Names are imported on first use (module ``__getattr__``), so ``rlkit.register_env`` does not pull in torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "make_env": "rlkit.envs.make", "env_options": "rlkit.envs.make", "resolve_env_id": "rlkit.envs.make",
    "check_env": "rlkit.envs.make",
    "register_env": "rlkit.envs.plugins", "load_env_plugins": "rlkit.envs.plugins",
    "Transition": "rlkit.envs.vector", "VectorEnv": "rlkit.envs.vector",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rlkit.envs' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
