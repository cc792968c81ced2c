"""Named preprocessing pipelines that ``make_env`` puts around every sub-env (config key ``env.preprocess``).

A pipeline is extra ``gym.make`` arguments plus a wrapper function ``wrap(env, training)``; ``training=False``
(the evaluation env) drops what only training wants (life-loss episode ends, reward clipping). ``auto`` picks
the pipeline of the id's namespace (``MinAtar/…`` → ``minatar``, ``ALE/…`` → ``atari``), else ``none``. The
namespaces here are also the ones whose envs come from an rlkit extra: their ids are registered on first use,
and a missing package is one line naming the ``pip install`` that fixes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
from gymnasium.envs.registration import parse_env_id

from rlkit.envs import atari, minatar
from rlkit.envs.channels_first import ChannelsFirst
from rlkit.errors import ConfigError


@dataclass(frozen=True)
class Preprocess:
    wrap: Callable[[gym.Env, bool], gym.Env]
    make_kwargs: dict[str, Any] = field(default_factory=dict)


PIPELINES: dict[str, Preprocess] = {
    "none": Preprocess(lambda env, training: env),
    "minatar": Preprocess(lambda env, training: ChannelsFirst(env)),  # (10, 10, C) bool → (C, 10, 10) uint8
    "atari": Preprocess(atari.wrap, atari.MAKE_KWARGS),
}

# namespace → (function registering its ids, the pipeline ``auto`` picks)
NAMESPACES: dict[str, tuple[Callable[[], None], str]] = {
    "MinAtar": (minatar.register, "minatar"),
    "ALE": (atari.register, "atari"),
}


def namespace(env_id: str) -> str | None:
    try:
        return parse_env_id(env_id)[0]
    except gym.error.Error:
        return None


def register_namespace(env_id: str) -> None:
    """Register the ids of ``env_id``'s namespace when it is one that an rlkit extra provides."""
    entry = NAMESPACES.get(namespace(env_id) or "")
    if entry is not None:
        entry[0]()


def get_preprocess(name: str | None, env_id: str) -> Preprocess:
    """The pipeline called ``name`` (``auto``/``None``: the namespace's, else ``none``)."""
    if name in (None, "auto"):
        name = NAMESPACES.get(namespace(env_id) or "", (None, "none"))[1]
    if name not in PIPELINES:
        raise ConfigError(f"env.preprocess={name!r} is not one of auto, {', '.join(PIPELINES)}")
    return PIPELINES[name]
