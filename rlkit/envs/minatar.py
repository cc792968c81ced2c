"""MinAtar (Young & Tian, 2019): ``MinAtar/Breakout-v1``, ``Asterix``, ``Freeway``, ``Seaquest``,
``SpaceInvaders`` (``-v0``: all 6 actions, ``-v1``: each game's minimal action set), from the ``[minatar]`` extra.

The package registers its gymnasium ids only when ``minatar.gym.register_envs()`` is called (MinAtar 1.0.15,
which works unchanged with gymnasium 1.x and numpy 2); ``register`` does that once. Its envs have no time limit
(a good Breakout policy plays forever), so conf/env/MinAtar/*.yaml set ``max_episode_steps``; observations are
(10, 10, C) bool grids, turned into (C, 10, 10) uint8 by the ``minatar`` preprocessing (ChannelsFirst).
"""

from __future__ import annotations

import gymnasium as gym

from rlkit.errors import ConfigError

INSTALL = "pip install 'rlkit[minatar]'"


def register() -> None:
    """Register the MinAtar ids with gymnasium (idempotent); a missing package is a one-line ``ConfigError``."""
    try:
        import minatar.gym
    except ImportError as exc:
        raise ConfigError(f"MinAtar envs need the MinAtar package ({exc}); install it with: {INSTALL}") from exc
    if "MinAtar/Breakout-v1" not in gym.registry:
        minatar.gym.register_envs()
