"""A batch of gymnasium envs seen as tensors: the one place where episode ends are interpreted.

Gymnasium reports two kinds of episode end. ``terminated`` means the MDP reached a terminal state: its value is 0,
so TD targets must not bootstrap. ``truncated`` means a time limit cut the episode: the state still has value,
so targets bootstrap from the real final observation. With SAME_STEP autoreset the vector env returns the reset
observation in place of the final one and puts the final one in ``info["final_obs"]``; ``step`` restores it into
``Transition.next_obs`` so that every agent bootstraps correctly without knowing any of this.
"""

from __future__ import annotations

import pickle
import warnings
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from gymnasium.utils import EzPickle
from gymnasium.vector import AutoresetMode, SyncVectorEnv
from torch import Tensor

from rlkit.envs.physics_state import get_physics_state, mujoco_env, set_physics_state


def observation_dtype(space: gym.Space) -> type:
    """The dtype agents receive observations in: pixels (uint8/bool spaces) stay uint8 — a quarter of the bytes
    to move and to store in replay — everything else is float32."""
    return np.uint8 if np.dtype(space.dtype) in (np.dtype(np.uint8), np.dtype(np.bool_)) else np.float32


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
        self._unpicklable_warned = False
        self._obs_dtype = observation_dtype(self.single_observation_space)

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

    # --- checkpointing ---------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs to continue these very episodes: each sub-env pickled (its RNG, its time
        limit's counter, its physics state), the running returns and the current observation.

        Sub-envs that cannot be pickled (e.g. ones holding a simulator handle) give ``envs: None``; a resumed run
        then starts fresh episodes. So do gymnasium's ``EzPickle`` envs (Box2D): they pickle without error, but
        only their constructor arguments, and would come back as new envs never reset. That is said once, in a
        warning naming the env, at the first save. MuJoCo envs are ``EzPickle`` too; their physics state is saved
        beside the pickle (``physics``, rlkit/envs/physics_state.py), so they do continue their episodes.
        """
        physics = None
        try:
            if mujoco_env(self.envs.envs[0]) is not None:
                physics = [get_physics_state(env) for env in self.envs.envs]
            elif isinstance(self.envs.envs[0].unwrapped, EzPickle):
                raise pickle.PicklingError("it pickles its constructor arguments (EzPickle), not its state")
            envs = [pickle.dumps(env) for env in self.envs.envs]
        except Exception as exc:  # noqa: BLE001 - any pickling failure means: resume with fresh episodes
            envs = None
            if not self._unpicklable_warned:
                self._unpicklable_warned = True
                spec = getattr(self.envs.envs[0], "spec", None)
                name = spec.id if spec else type(self.envs.envs[0]).__name__
                warnings.warn(f"env {name} cannot be pickled "
                              f"({type(exc).__name__}: {exc}); a resumed run will start fresh episodes",
                              RuntimeWarning, stacklevel=2)
        return {"envs": envs, "physics": physics if envs is not None else None, "obs": self.obs,
                "returns": torch.from_numpy(self._returns.copy()), "lengths": torch.from_numpy(self._lengths.copy())}

    def load_state_dict(self, state: dict[str, Any]) -> bool:
        """Restore the sub-envs and the running episode statistics; False when the envs were not saved (or are
        EzPickle envs without their physics state, e.g. MuJoCo saved by an older rlkit: their pickle holds no
        state)."""
        physics = state.get("physics")
        if state.get("envs") is None or (isinstance(self.envs.envs[0].unwrapped, EzPickle) and physics is None):
            return False
        for old in self.envs.envs:
            old.close()
        self.envs.envs = [pickle.loads(blob) for blob in state["envs"]]
        if physics is not None:
            for env, saved in zip(self.envs.envs, physics, strict=True):
                set_physics_state(env, saved)
        self._obs = state["obs"].to(self.device)
        self._returns[:] = state["returns"].numpy()
        self._lengths[:] = state["lengths"].numpy()
        return True
