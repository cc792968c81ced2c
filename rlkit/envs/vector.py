"""A batch of gymnasium envs seen as tensors: the one place where episode ends are interpreted.

Gymnasium reports two kinds of episode end. ``terminated`` means the MDP reached a terminal state: its value is 0,
so TD targets must not bootstrap. ``truncated`` means a time limit cut the episode: the state still has value,
so targets bootstrap from the real final observation. With SAME_STEP autoreset the vector env returns the reset
observation in place of the final one and puts the final one in ``info["final_obs"]``; ``step`` restores it into
``Transition.next_obs`` so that every agent bootstraps correctly without knowing any of this.
"""

from __future__ import annotations

from dataclasses import dataclass

import gymnasium as gym
import numpy as np
import torch
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from torch import Tensor


@dataclass
class Transition:
    """One vector step, leading dimension = number of envs, all on the agent's device."""

    obs: Tensor
    action: Tensor
    reward: Tensor  # float32
    next_obs: Tensor  # the true successor state, also when the episode ended
    terminated: Tensor  # float32 1.0 where the successor is terminal: do not bootstrap
    done: Tensor  # float32 1.0 where the episode ended for any reason: episode boundary


class VectorEnv:
    """``SyncVectorEnv`` of ``num_envs`` copies; observations, rewards and flags come back as tensors on ``device``.

    Observations are float32, except for uint8/bool observation spaces (images), which stay uint8.

    Also keeps per-env running returns so finished episodes can be reported without a wrapper.
    """

    def __init__(self, env_fns: list, device: torch.device) -> None:
        self.envs = SyncVectorEnv(env_fns, autoreset_mode=AutoresetMode.SAME_STEP)
        self.num_envs = self.envs.num_envs
        self.single_observation_space = self.envs.single_observation_space
        self.single_action_space = self.envs.single_action_space
        self.device = device
        self._discrete = isinstance(self.single_action_space, gym.spaces.Discrete)
        self._returns = np.zeros(self.num_envs)
        self._lengths = np.zeros(self.num_envs, dtype=np.int64)
        self._obs: Tensor | None = None
        # Pixels (uint8/bool spaces) stay uint8: a quarter of the bytes to move and to store in replay.
        obs_dtype = np.dtype(self.single_observation_space.dtype)
        self._obs_dtype = np.uint8 if obs_dtype in (np.dtype(np.uint8), np.dtype(np.bool_)) else np.float32

    def _tensor(self, array: np.ndarray, dtype: type = np.float32) -> Tensor:
        return torch.as_tensor(np.asarray(array, dtype=dtype)).to(self.device, non_blocking=True)

    def reset(self, seed: int | None = None) -> Tensor:
        obs, _ = self.envs.reset(seed=seed)
        self._returns[:] = 0
        self._lengths[:] = 0
        self._obs = self._tensor(obs, self._obs_dtype)
        return self._obs

    def step(self, action: Tensor) -> tuple[Transition, list[tuple[float, int]]]:
        """Step every env; returns the transition and (return, length) of each episode that just ended."""
        action_np = action.detach().cpu().numpy()
        if self._discrete:
            action_np = action_np.astype(np.int64)
        next_obs, reward, terminated, truncated, info = self.envs.step(action_np)
        done = terminated | truncated
        self._returns += reward
        self._lengths += 1
        finished: list[tuple[float, int]] = []
        true_next = next_obs
        if done.any():
            true_next = next_obs.copy()
            for i in np.flatnonzero(done):
                true_next[i] = info["final_obs"][i]
                finished.append((float(self._returns[i]), int(self._lengths[i])))
            self._returns[done] = 0
            self._lengths[done] = 0
        transition = Transition(
            obs=self._obs,
            action=action,
            reward=self._tensor(reward),
            next_obs=self._tensor(true_next, self._obs_dtype),
            terminated=self._tensor(terminated),
            done=self._tensor(done),
        )
        self._obs = transition.next_obs if not done.any() else self._tensor(next_obs, self._obs_dtype)
        return transition, finished

    @property
    def obs(self) -> Tensor:
        assert self._obs is not None, "call reset() first"
        return self._obs

    def close(self) -> None:
        self.envs.close()
