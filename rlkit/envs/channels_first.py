"""``ChannelsFirst``: (H, W, C) image observations → (C, H, W), bool → uint8, the layout rlkit's CNNs read."""

from __future__ import annotations

import gymnasium as gym
import numpy as np


class ChannelsFirst(gym.ObservationWrapper):
    """Transposes HWC observations to CHW; bool grids (MinAtar) become 0/1 uint8 (same bytes, a dtype torch
    and the replay buffer handle everywhere)."""

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        space = env.observation_space
        if not isinstance(space, gym.spaces.Box) or len(space.shape) != 3:
            raise ValueError(f"ChannelsFirst needs (H, W, C) Box observations, not {space}")
        h, w, c = space.shape
        dtype = np.uint8 if space.dtype == np.bool_ else space.dtype
        high = 1 if space.dtype == np.bool_ else np.transpose(space.high, (2, 0, 1))
        low = 0 if space.dtype == np.bool_ else np.transpose(space.low, (2, 0, 1))
        self.observation_space = gym.spaces.Box(low, high, (c, h, w), dtype)
        self._dtype = dtype

    def observation(self, observation: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.transpose(observation, (2, 0, 1)), dtype=self._dtype)
