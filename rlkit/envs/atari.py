"""Atari 2600 games through ale-py (``ALE/Breakout-v5``, ``ALE/Pong-v5``, ...), from the ``[atari]`` extra.

ale-py's wheel ships the ROMs; ``register`` only imports it and registers its ids with gymnasium. ``wrap`` is
the standard DQN preprocessing (Mnih et al., 2015; Machado et al., 2018), built from gymnasium's wrappers:
up to 30 no-op starts, each action repeated for 4 frames (the ALE env itself is made with ``frameskip=1``) with
the max over the last two, 84×84 grayscale, the last 4 frames stacked → (4, 84, 84) uint8. Training envs also
end an episode when a life is lost (``EpisodicLife``) and clip rewards to their sign; evaluation envs play whole
games and report the real score. ``-v5`` ids keep ALE's sticky actions (p = 0.25) and its 108,000-frame limit.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np

from rlkit.envs.episodic_life import EpisodicLife
from rlkit.errors import ConfigError

INSTALL = "pip install 'rlkit[atari]'"
MAKE_KWARGS = {"frameskip": 1}  # AtariPreprocessing does the frame skipping


def register() -> None:
    """Register ale-py's ids with gymnasium (idempotent); a missing package is a one-line ``ConfigError``."""
    try:
        import ale_py
        import cv2  # noqa: F401 - AtariPreprocessing resizes with OpenCV
    except ImportError as exc:
        raise ConfigError(f"Atari envs need ale-py and OpenCV ({exc}); install them with: {INSTALL}") from exc
    if "ALE/Pong-v5" not in gym.registry:
        gym.register_envs(ale_py)


def wrap(env: gym.Env, training: bool) -> gym.Env:
    """The DQN preprocessing around a ``frameskip=1`` ALE env; ``training`` adds life loss and reward clipping."""
    env = gym.wrappers.AtariPreprocessing(env, noop_max=30, frame_skip=4, screen_size=84,
                                          terminal_on_life_loss=False, grayscale_obs=True, scale_obs=False)
    if training:
        env = EpisodicLife(env)
        env = gym.wrappers.TransformReward(env, lambda r: float(np.sign(r)))
    return gym.wrappers.FrameStackObservation(env, 4)
