"""Exploration noise added to DDPG's deterministic actions: independent Gaussian draws, or an Ornstein–Uhlenbeck
process whose draws are correlated in time, so a push lasts long enough to carry the agent somewhere new (the
DDPG paper's choice; what MountainCarContinuous needs to ever reach the flag)."""

from __future__ import annotations

import torch
from torch import Tensor

NOISE_TYPES = ("gaussian", "ou")


class GaussianNoise:
    """σ·N(0, 1), fresh every step."""

    def __init__(self, std: Tensor) -> None:
        self.std = std

    def __call__(self, action: Tensor) -> Tensor:
        return self.std * torch.randn_like(action)

    def reset(self, done: Tensor) -> None:
        pass

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state: dict) -> None:
        pass


class OrnsteinUhlenbeckNoise(GaussianNoise):
    """x ← x − θ·x·dt + σ·√dt·N(0, 1), one x per env, back to 0 when that env's episode ends.

    Its stationary standard deviation is σ/√(2θ): with θ = 0.15 about 1.8σ, with a correlation time of 1/(θ·dt)
    steps (≈ 670 with dt = 0.01)."""

    def __init__(self, std: Tensor, theta: float = 0.15, dt: float = 1e-2) -> None:
        super().__init__(std)
        self.theta, self.dt = theta, dt
        self.x: Tensor | None = None

    def __call__(self, action: Tensor) -> Tensor:
        if self.x is None or self.x.shape != action.shape:
            self.x = torch.zeros_like(action)
        self.x = self.x - self.theta * self.x * self.dt + self.std * self.dt**0.5 * torch.randn_like(action)
        return self.x

    def reset(self, done: Tensor) -> None:
        if self.x is not None:
            self.x = self.x * (1.0 - done.unsqueeze(-1))

    def state_dict(self) -> dict:
        return {"x": self.x}

    def load_state_dict(self, state: dict) -> None:
        self.x = state.get("x")


def make_noise(kind: str, std: Tensor, theta: float, dt: float) -> GaussianNoise:
    if kind == "ou":
        return OrnsteinUhlenbeckNoise(std, theta, dt)
    return GaussianNoise(std)
