"""TD math shared by several agents (dqn, ac, ddpg): the one-step target and the target-network update."""

from __future__ import annotations

import torch
from torch import Tensor, nn


def td_target(reward: Tensor, next_q: Tensor, terminated: Tensor, gamma: float) -> Tensor:
    """y = r + γ·q′, with no bootstrap where the successor is terminal (a time-limit cut still bootstraps)."""
    return reward + gamma * (1.0 - terminated) * next_q


@torch.no_grad()
def soft_update(target: nn.Module | list[Tensor], online: nn.Module | list[Tensor], tau: float) -> None:
    """θ⁻ ← (1 − τ)·θ⁻ + τ·θ in one fused call; pass parameter lists gathered once to skip the module walk."""
    if isinstance(target, nn.Module):
        target, online = list(target.parameters()), list(online.parameters())
    torch._foreach_lerp_(target, online, tau)
