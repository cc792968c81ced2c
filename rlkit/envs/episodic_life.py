"""``EpisodicLife``: a lost life ends the training episode, but the game goes on (Mnih et al., 2015).

The episode reports ``terminated`` when a life is lost, so TD targets stop bootstrapping there; the following
``reset`` only takes a no-op step instead of restarting the game, so later lives (and later, harder parts of
the game) are still seen. A real reset happens once the game is over. For training only: evaluation plays
whole games and reports the real score.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym


class EpisodicLife(gym.Wrapper):
    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self.lives = 0
        self.game_over = True

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.game_over = terminated or truncated
        lives = self.env.unwrapped.ale.lives()
        if 0 < lives < self.lives:
            terminated = True
        self.lives = lives
        return obs, reward, terminated, truncated, info

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        if self.game_over or seed is not None:
            obs, info = self.env.reset(seed=seed, options=options)
        else:  # a life was lost: continue the same game from where it is
            obs, _, terminated, truncated, info = self.env.step(0)
            if terminated or truncated:
                obs, info = self.env.reset(options=options)
        self.game_over = False
        self.lives = self.env.unwrapped.ale.lives()
        return obs, info
