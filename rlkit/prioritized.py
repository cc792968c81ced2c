"""Proportional prioritised replay (Schaul et al., 2016) around a ``ReplayBuffer``.

Row i is drawn with probability P(i) = p_i / Σ_j p_j, p_i = (|δ_i| + ε)^α, where δ_i is the TD error of its
last update (a new row gets the largest priority seen so far, so it is replayed at least once soon). The
loss of a drawn row is weighted by w_i = (N·P(i))^−β / max_batch w, which undoes the bias of the non-uniform
draw as β rises to 1 (``beta_steps``). α = 0 is uniform replay with unit weights.

The priorities live on the buffer's device in blocks of ⌈√capacity⌉ rows with one running sum per block, so a
draw is two prefix-sum searches (over the block sums, then within the chosen block: O(√N) per sample) and an
update re-sums only the blocks it touched. Everything is tensor work, with no host sync.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from rlkit.buffers import ReplayBuffer
from rlkit.envs.vector import Transition


def beta_at(env_steps: int, beta_start: float, beta_steps: int | None) -> float:
    """β rises linearly from ``beta_start`` to 1 over ``beta_steps`` env steps; ``None``: it stays."""
    if not beta_steps:
        return beta_start
    return beta_start + (1.0 - beta_start) * min(env_steps / beta_steps, 1.0)


def importance_weights(probability: Tensor, size: int, beta: float) -> Tensor:
    """w_i = (N·P(i))^−β, divided by the batch's largest, so every weight is in (0, 1]."""
    weight = (size * probability).pow(-beta)
    return weight / weight.max()


class PrioritizedReplay:
    """A ``ReplayBuffer`` whose ``sample`` draws rows by priority and adds ``weight`` and ``index`` to the batch;
    ``update_priorities(index, td_abs)`` sets the priorities of the rows just learned from."""

    def __init__(self, buffer: ReplayBuffer, alpha: float = 0.6, beta: float = 0.4, beta_steps: int | None = None,
                 eps: float = 1e-6) -> None:
        self.buffer, self.alpha, self.beta_start, self.beta_steps, self.eps = buffer, alpha, beta, beta_steps, eps
        self.beta = beta
        self.block = math.isqrt(buffer.capacity - 1) + 1  # ⌈√capacity⌉
        blocks = -(-buffer.capacity // self.block)
        self.priority = torch.zeros(blocks * self.block, device=buffer.device)  # p_i; 0 for rows not yet written
        self.block_sum = torch.zeros(blocks, device=buffer.device)
        self.max_priority = torch.ones((), device=buffer.device)

    def __len__(self) -> int:
        return len(self.buffer)

    def __getattr__(self, name: str):  # capacity, size, pos, storage, bytes_per_transition: the buffer's
        if name == "buffer":  # not set yet (copy, unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.buffer, name)

    def anneal(self, env_steps: int) -> None:
        self.beta = beta_at(env_steps, self.beta_start, self.beta_steps)

    def _set(self, rows: Tensor, priority: Tensor) -> None:
        self.priority[rows] = priority
        touched = rows // self.block
        self.block_sum[touched] = self.priority.view(-1, self.block)[touched].sum(dim=1)

    def add(self, transition: Transition) -> None:
        n = transition.reward.shape[0]
        rows = (torch.arange(n, device=self.priority.device) + self.buffer.pos) % self.buffer.capacity
        self.buffer.add(transition)
        self._set(rows, self.max_priority.expand(n))

    def sample(self, batch_size: int) -> dict[str, Tensor]:
        cumulative = self.block_sum.cumsum(0)
        total = cumulative[-1]
        u = torch.rand(batch_size, device=total.device) * total
        block = torch.searchsorted(cumulative, u, right=True).clamp(max=cumulative.shape[0] - 1)
        within_u = (u - (cumulative[block] - self.block_sum[block])).unsqueeze(1)
        block_rows = self.priority.view(-1, self.block)[block]  # [B, block]
        within = torch.searchsorted(block_rows.cumsum(1), within_u, right=True).squeeze(1)
        # rounding can step past a block's last written row; rows at or past size are never written
        index = (block * self.block + within.clamp(max=self.block - 1)).clamp(max=len(self.buffer) - 1)
        batch = self.buffer.rows(index)
        batch["weight"] = importance_weights(self.priority[index] / total, len(self.buffer), self.beta)
        batch["index"] = index
        return batch

    def update_priorities(self, index: Tensor, td_abs: Tensor) -> None:
        priority = (td_abs.detach().float() + self.eps).pow(self.alpha)
        self.max_priority = torch.maximum(self.max_priority, priority.max())
        self._set(index, priority)

    def state_dict(self) -> dict:
        size = len(self.buffer)
        return {**self.buffer.state_dict(), "priority": self.priority[:size].clone(),
                "max_priority": self.max_priority.clone()}

    def load_state_dict(self, state: dict) -> None:
        self.buffer.load_state_dict(state)
        self.priority.zero_()
        self.priority[: len(self.buffer)] = state["priority"].to(self.priority.device)
        self.block_sum = self.priority.view(-1, self.block).sum(dim=1)
        self.max_priority = state["max_priority"].to(self.priority.device)
