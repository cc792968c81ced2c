"""Third-party environments: ``rlkit.envs`` entry points and ``register_env``, both safe to run twice.

gymnasium 1.x has no plugin discovery of its own, so rlkit does it: every installed entry point in the
``rlkit.envs`` group names a callable that registers its envs with gymnasium (or a module whose import does).
They are loaded once per process, only when an env id is not already registered, so a broken plugin never
gets in the way of the gymnasium ids.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

import gymnasium as gym

from rlkit.errors import ConfigError
from rlkit.registry import one_line

ENV_GROUP = "rlkit.envs"

_failures: list[str] | None = None  # None until the entry points have been loaded


def _qualname(entry_point: str | Callable[..., Any] | None) -> str:
    if entry_point is None or isinstance(entry_point, str):
        return str(entry_point)
    return f"{entry_point.__module__}:{entry_point.__qualname__}"


def register_env(env_id: str, entry_point: str | Callable[..., Any], **kwargs: Any) -> None:
    """Register ``env_id`` with gymnasium, like ``gymnasium.register`` and with the same keyword arguments
    (``max_episode_steps=``, ``kwargs={...}`` for the env's constructor, ...).

    Idempotent: registering an id again with the same entry point does nothing, so a plugin's register
    function may run both from its entry point and from an import. The same id with another entry
    point is an error.
    """
    if env_id in gym.registry:
        existing = gym.registry[env_id].entry_point
        if _qualname(existing) == _qualname(entry_point):
            return
        raise ConfigError(f"env {env_id!r} is already registered to {_qualname(existing)}; "
                          f"cannot register it to {_qualname(entry_point)}")
    gym.register(id=env_id, entry_point=entry_point, **kwargs)


def load_env_plugins() -> list[str]:
    """Run every installed ``rlkit.envs`` entry point once; returns one line per plugin that failed."""
    global _failures
    if _failures is not None:
        return _failures
    _failures = []
    for ep in entry_points(group=ENV_GROUP):
        where = f"env plugin {ep.name!r} ({ep.value}"
        where += f", package {ep.dist.name})" if ep.dist is not None else ")"
        try:
            loaded = ep.load()
        except Exception as exc:  # noqa: BLE001 - any import failure becomes one clear line
            _failures.append(f"{where} failed to import: {one_line(exc)}")
            continue
        if isinstance(loaded, type) and issubclass(loaded, gym.Env):
            _failures.append(f"{where} points at an env class; point it at a function that registers the env")
        elif callable(loaded):
            try:
                loaded()
            except Exception as exc:  # noqa: BLE001 - same for a failure while registering
                _failures.append(f"{where} failed to register its envs: {one_line(exc)}")
    return _failures
