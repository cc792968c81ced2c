"""TD math shared by several agents (dqn, ac, ddpg, td3): the one-step target, its clipped double-Q form and the
target-network update."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


def td_target(reward: Tensor, next_q: Tensor, terminated: Tensor, gamma: float) -> Tensor:
    """y = r + γ·q′, with no bootstrap where the successor is terminal (a time-limit cut still bootstraps)."""
    return reward + gamma * (1.0 - terminated) * next_q


def min_td_target(reward: Tensor, next_qs: Sequence[Tensor], terminated: Tensor, gamma: float) -> Tensor:
    """y = r + γ·(1 − terminated)·min(q₁′, q₂′, ...): the clipped double-Q target (Fujimoto et al., 2018).

    The smaller of two independently trained critics' estimates counters the upward bias a policy that climbs
    one critic's errors gives its own target. With one critic it is ``td_target`` exactly (no extra op)."""
    next_q = next_qs[0]
    for q in next_qs[1:]:
        next_q = torch.minimum(next_q, q)
    return td_target(reward, next_q, terminated, gamma)


@torch.no_grad()
def soft_update(target: nn.Module | list[Tensor], online: nn.Module | list[Tensor], tau: float) -> None:
    """θ⁻ ← (1 − τ)·θ⁻ + τ·θ in one fused call; pass parameter lists gathered once to skip the module walk."""
    if isinstance(target, nn.Module):
        target, online = list(target.parameters()), list(online.parameters())
    torch._foreach_lerp_(target, online, tau)
