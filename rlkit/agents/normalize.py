"""Observation normalisation: each feature shifted and scaled by the running mean and std of every observation the
agent has acted on in training. Acrobot's angular velocities (up to ±28) beside its cosines (±1) are the kind of
input it is for. The statistics are buffers of the agent's ``obs_norm`` module, so checkpoints, evaluation,
``rlkit.load`` and ``rlkit.export`` apply the same ones; evaluation never changes them."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn

from rlkit.errors import ConfigError


class RunningNorm(nn.Module):
    """(x − mean) / √(var + ε), clipped to ±``clip``; statistics merged batch by batch (Chan et al.'s parallel
    update), in float64 so millions of steps do not erode them."""

    def __init__(self, shape: tuple[int, ...], clip: float = 10.0, eps: float = 1e-8) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(shape, dtype=torch.float64))
        self.register_buffer("var", torch.ones(shape, dtype=torch.float64))
        self.register_buffer("count", torch.zeros((), dtype=torch.float64))
        self.clip, self.eps = clip, eps

    @torch.no_grad()
    def update(self, x: Tensor) -> None:
        x = x.to(torch.float64).reshape(-1, *self.mean.shape)
        n = x.shape[0]
        batch_mean, batch_var = x.mean(0), x.var(0, unbiased=False)
        total = self.count + n
        delta = batch_mean - self.mean
        self.var.copy_((self.var * self.count + batch_var * n + delta.pow(2) * self.count * n / total) / total)
        self.mean.add_(delta * n / total)
        self.count.copy_(total)

    def forward(self, x: Tensor) -> Tensor:
        scaled = (x - self.mean.to(x.dtype)) / torch.sqrt(self.var.to(x.dtype) + self.eps)
        return scaled.clamp(-self.clip, self.clip)


def make_obs_norm(agent: str, observation_space: gym.Space, enabled: bool, device: torch.device) -> RunningNorm | None:
    if not enabled:
        return None
    if len(observation_space.shape) != 1 or np.dtype(observation_space.dtype) in (np.uint8, np.bool_):
        raise ConfigError(f"{agent} normalize_obs=true needs vector observations, not shape "
                          f"{tuple(observation_space.shape)}; images are scaled to [0, 1] already")
    return RunningNorm(tuple(observation_space.shape)).to(device)
