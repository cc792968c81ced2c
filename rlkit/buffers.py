"""Replay buffers for off-policy agents: rings of preallocated tensors on the agent's device.

``ReplayBuffer`` stores float observations and their successors row by row (vector observations: a few floats,
nothing to save). ``ImageReplayBuffer`` is for uint8/bool observation spaces (pixels): it keeps observations as
uint8, stores each one once (a row's successor is the same env's next row) and converts a minibatch to float on
the device when it is sampled. ``ReplayBuffer.for_space`` picks the one that fits.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor

from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError


def check_capacity(capacity: int, row_bytes: int) -> None:
    """A buffer larger than this machine's memory is one line naming agent.buffer_size, before allocating it."""
    import os

    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if capacity * row_bytes > total:
        raise ConfigError(f"agent.buffer_size={capacity}: {capacity} transitions of {row_bytes} bytes need "
                          f"{capacity * row_bytes / 2**30:.3g} GiB, more than this machine's {total / 2**30:.3g} GiB")


def row_bytes(*shapes_and_sizes: tuple[tuple[int, ...], int]) -> int:
    return sum(int(np.prod(shape)) * size for shape, size in shapes_and_sizes)


class ReplayBuffer:
    """Stores transitions from a vector env and samples uniform minibatches, without leaving ``device``."""

    @staticmethod
    def for_space(capacity: int, observation_space: gym.Space, action_shape: tuple[int, ...],
                  device: torch.device, action_dtype: torch.dtype = torch.float32) -> ReplayBuffer:
        """An ``ImageReplayBuffer`` for uint8/bool observations, else a ``ReplayBuffer``."""
        if np.dtype(observation_space.dtype) in (np.dtype(np.uint8), np.dtype(np.bool_)):
            return ImageReplayBuffer(capacity, observation_space.shape, action_shape, device, action_dtype)
        return ReplayBuffer(capacity, observation_space.shape, action_shape, device, action_dtype)

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        action_shape: tuple[int, ...],
        device: torch.device,
        action_dtype: torch.dtype = torch.float32,
        discount: bool = False,
    ) -> None:
        self.capacity, self.device = int(capacity), device
        check_capacity(self.capacity, row_bytes((obs_shape, 8), (action_shape, 8), ((), 16)))
        self.storage: dict[str, Tensor] = {
            "obs": torch.empty((self.capacity, *obs_shape), device=device),
            "action": torch.empty((self.capacity, *action_shape), dtype=action_dtype, device=device),
            "reward": torch.empty(self.capacity, device=device),
            "next_obs": torch.empty((self.capacity, *obs_shape), device=device),
            "terminated": torch.empty(self.capacity, device=device),
        }
        if discount:  # n-step transitions carry their own bootstrap factor γ^k (rlkit/agents/nstep.py)
            self.storage["discount"] = torch.empty(self.capacity, device=device)
        self.pos = 0
        self.size = 0

    def add(self, t: Transition) -> None:
        n = t.reward.shape[0]
        idx = (
            (torch.arange(n, device=self.device) + self.pos) % self.capacity
            if self.pos + n > self.capacity
            else slice(self.pos, self.pos + n)
        )
        for name, tensor in self.storage.items():
            tensor[idx] = getattr(t, name).reshape(tensor[idx].shape)
        self.pos = (self.pos + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def sample(self, batch_size: int) -> dict[str, Tensor]:
        return self.rows(torch.randint(0, self.size, (batch_size,), device=self.device))

    def rows(self, idx: Tensor) -> dict[str, Tensor]:
        """The transitions at rows ``idx`` (a uniform draw from ``sample``, or a prioritised one)."""
        return {name: tensor[idx] for name, tensor in self.storage.items()}

    def __len__(self) -> int:
        return self.size

    def bytes_per_transition(self) -> int:
        """Bytes of storage one transition takes (every per-row tensor, one row each)."""
        return sum(t.element_size() * t[0].numel() for t in self.storage.values())

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


class ImageReplayBuffer(ReplayBuffer):
    """Replay for uint8/bool observations: each observation stored once, as uint8; minibatches come out float.

    Rows are written one vector step at a time, ``n`` envs side by side, so the successor of row ``r`` is row
    ``r + n`` (mod capacity) — the same env's next observation — except where

    * ``r`` is in the newest block: its successors are not rows yet; they are kept in ``latest_next``;
    * the episode was cut at ``r`` by a time limit (truncated): the row after it holds the next episode's reset
      observation, so the true final observation (``Transition.next_obs``) goes to a small side store
      ``final_obs`` and ``final_slot[r]`` points at it. Terminated rows need no successor (the TD target does
      not bootstrap there), so the reset observation that follows them is never used.

    The side store holds only live truncations: a slot is reused once its row has been overwritten, and the
    store doubles in the rare case that every slot is still live. Sampling draws the same ``torch.randint``
    indices as ``ReplayBuffer``; everything it reads is in ``state_dict``, so a restored buffer samples exactly
    the same minibatches.
    """

    ROW_FIELDS = ("obs", "action", "reward", "terminated")

    def __init__(self, capacity: int, obs_shape: tuple[int, ...], action_shape: tuple[int, ...],
                 device: torch.device, action_dtype: torch.dtype = torch.float32, final_slots: int = 64) -> None:
        self.capacity, self.device = int(capacity), device
        check_capacity(self.capacity, row_bytes((obs_shape, 1), (action_shape, 8), ((), 16)))
        self.obs_shape = tuple(int(s) for s in obs_shape)
        self.storage = {
            "obs": torch.empty((self.capacity, *self.obs_shape), dtype=torch.uint8, device=device),
            "action": torch.empty((self.capacity, *action_shape), dtype=action_dtype, device=device),
            "reward": torch.empty(self.capacity, device=device),
            "terminated": torch.empty(self.capacity, device=device),
            "final_slot": torch.full((self.capacity,), -1, dtype=torch.long, device=device),
        }
        self.final_obs = torch.empty((final_slots, *self.obs_shape), dtype=torch.uint8, device=device)
        self.final_row = torch.full((final_slots,), -1, dtype=torch.long, device=device)
        self.final_pos = 0
        self.n = 0  # envs per vector step, fixed by the first add
        self.latest_next = torch.empty((0, *self.obs_shape), dtype=torch.uint8, device=device)
        self.pos = 0
        self.size = 0

    def _claim_slot(self) -> int:
        """A side-store slot whose row is gone (or never was); doubles the store when all are live."""
        slots = self.final_obs.shape[0]
        for _ in range(slots):
            slot = self.final_pos % slots
            self.final_pos = slot + 1
            row = int(self.final_row[slot])
            if row < 0 or int(self.storage["final_slot"][row]) != slot:
                return slot
        self.final_obs = torch.cat([self.final_obs, torch.empty_like(self.final_obs)])
        self.final_row = torch.cat([self.final_row, torch.full_like(self.final_row, -1)])
        self.final_pos = slots + 1
        return slots

    def add(self, t: Transition) -> None:
        n = t.reward.shape[0]
        if self.n == 0:
            self.n = n
        elif n != self.n:
            raise ValueError(f"ImageReplayBuffer holds steps of {self.n} envs, got {n}")
        rows = (torch.arange(n, device=self.device) + self.pos) % self.capacity
        idx = rows if self.pos + n > self.capacity else slice(self.pos, self.pos + n)
        for name in self.ROW_FIELDS:
            self.storage[name][idx] = getattr(t, name).reshape(self.storage[name][idx].shape)
        self.storage["final_slot"][idx] = -1
        self.latest_next = t.next_obs.to(torch.uint8).clone()
        truncated = t.done.bool() & ~t.terminated.bool()
        if bool(truncated.any()):  # rare: one host sync per time-limit cut
            for i in truncated.nonzero().flatten().tolist():
                slot, row = self._claim_slot(), int(rows[i])
                self.final_obs[slot] = self.latest_next[i]
                self.final_row[slot] = row
                self.storage["final_slot"][row] = slot
        self.pos = (self.pos + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def rows(self, idx: Tensor) -> dict[str, Tensor]:
        obs = self.storage["obs"]
        image = (-1,) + (1,) * len(self.obs_shape)
        newest = (idx - (self.pos - self.n)) % self.capacity  # 0..n-1 for the newest block's rows
        next_obs = torch.where((newest < self.n).view(image), self.latest_next[newest.clamp(max=self.n - 1)],
                               obs[(idx + self.n) % self.capacity])
        slot = self.storage["final_slot"][idx]
        next_obs = torch.where((slot >= 0).view(image), self.final_obs[slot.clamp(min=0)], next_obs)
        return {"obs": obs[idx].float(), "action": self.storage["action"][idx],
                "reward": self.storage["reward"][idx], "next_obs": next_obs.float(),
                "terminated": self.storage["terminated"][idx]}

    def state_dict(self) -> dict:
        return {
            **super().state_dict(),
            "n": self.n,
            "latest_next": self.latest_next.clone(),
            "final_obs": self.final_obs.clone(),
            "final_row": self.final_row.clone(),
            "final_pos": self.final_pos,
        }

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.storage["final_slot"][self.size:] = -1
        self.n, self.final_pos = int(state["n"]), int(state["final_pos"])
        self.latest_next = state["latest_next"].to(self.device)
        self.final_obs = state["final_obs"].to(self.device)
        self.final_row = state["final_row"].to(self.device)
