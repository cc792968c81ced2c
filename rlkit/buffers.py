"""Replay buffer for off-policy agents: a ring of preallocated tensors on the agent's device."""

from __future__ import annotations

import torch
from torch import Tensor

from rlkit.envs.vector import Transition

FIELDS = ("obs", "action", "reward", "next_obs", "terminated")


class ReplayBuffer:
    """Stores transitions from a vector env and samples uniform minibatches, without leaving ``device``."""

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        action_shape: tuple[int, ...],
        device: torch.device,
        action_dtype: torch.dtype = torch.float32,
    ) -> None:
        self.capacity, self.device = int(capacity), device
        self.storage: dict[str, Tensor] = {
            "obs": torch.empty((self.capacity, *obs_shape), device=device),
            "action": torch.empty((self.capacity, *action_shape), dtype=action_dtype, device=device),
            "reward": torch.empty(self.capacity, device=device),
            "next_obs": torch.empty((self.capacity, *obs_shape), device=device),
            "terminated": torch.empty(self.capacity, device=device),
        }
        self.pos = 0
        self.size = 0

    def add(self, t: Transition) -> None:
        n = t.reward.shape[0]
        idx = (
            (torch.arange(n, device=self.device) + self.pos) % self.capacity
            if self.pos + n > self.capacity
            else slice(self.pos, self.pos + n)
        )
        for name in FIELDS:
            self.storage[name][idx] = getattr(t, name).reshape(self.storage[name][idx].shape)
        self.pos = (self.pos + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def sample(self, batch_size: int) -> dict[str, Tensor]:
        idx = torch.randint(0, self.size, (batch_size,), device=self.device)
        return {name: tensor[idx] for name, tensor in self.storage.items()}

    def __len__(self) -> int:
        return self.size

    def state_dict(self) -> dict:
        """Only the filled part, so a checkpoint of a young buffer stays small."""
        return {
            "pos": self.pos,
            "size": self.size,
            **{name: tensor[: self.size].clone() for name, tensor in self.storage.items()},
        }

    def load_state_dict(self, state: dict) -> None:
        self.pos, self.size = int(state["pos"]), int(state["size"])
        for name, tensor in self.storage.items():
            tensor[: self.size] = state[name].to(self.device)
