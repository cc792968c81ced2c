"""Turn an env id from the config into a ``VectorEnv``; unknown ids fail with the closest known ones."""

from __future__ import annotations

import difflib
import importlib
from typing import Any

import gymnasium as gym
import torch

from rlkit.envs.vector import VectorEnv
from rlkit.errors import ConfigError


def resolve_env_id(env_id: str) -> str:
    """Make sure ``env_id`` is registered with gymnasium, importing ``module`` for the ``module:EnvId`` form."""
    if ":" in env_id:
        module, _, name = env_id.partition(":")
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - any import failure becomes one clear line
            raise ConfigError(f"env {env_id!r}: module {module!r} failed to import: "
                              f"{type(exc).__name__}: {exc}") from exc
        env_id = name
    if env_id not in gym.registry:
        close = difflib.get_close_matches(env_id, list(gym.registry), n=5, cutoff=0.5)
        hint = f"; closest registered ids: {', '.join(close)}" if close else \
            "; use a gymnasium id (e.g. Pendulum-v1, CartPole-v1) or module:EnvId"
        raise ConfigError(f"unknown env {env_id!r}{hint}")
    return env_id


def make_env(env_id: str, num_envs: int = 1, seed: int | None = None, device: torch.device | str = "cpu",
             kwargs: dict[str, Any] | None = None, max_episode_steps: int | None = None) -> VectorEnv:
    """A ``VectorEnv`` of ``num_envs`` copies of ``env_id``, reset with seeds ``seed, seed+1, ...``."""
    if num_envs < 1:
        raise ConfigError(f"num_envs={num_envs} must be a positive integer")
    env_id = resolve_env_id(env_id)
    kwargs = dict(kwargs or {})

    def make_one() -> gym.Env:
        return gym.make(env_id, max_episode_steps=max_episode_steps, **kwargs)

    try:
        env = VectorEnv([make_one for _ in range(num_envs)], torch.device(device))
    except TypeError as exc:  # typically an unknown kwarg for this env
        raise ConfigError(f"env {env_id!r} rejected its arguments {kwargs}: {exc}") from exc
    env.reset(seed=seed)
    return env
