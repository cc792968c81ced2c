"""Adam for the agents: torch's fused Adam kernel over a fixed parameter list, without ``torch.optim``.

Why not ``torch.optim.Adam``: its first ``add_param_group`` imports ``torch._dynamo`` (≈2.5 s of a ≈10 s start-up
on a 2-core box) and each ``step`` adds ~100 µs of Python bookkeeping, which for 64-wide networks is as much as
the arithmetic. The update rule is the same kernel (``torch._fused_adam_``) with the same defaults, and
tests/test_optim.py checks that both produce identical parameters.
"""

from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import Tensor


class Adam:
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − lr·m̂ / (√v̂ + ε), bias-corrected, no weight decay."""

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        self.params = list(params)
        self.lr, (self.beta1, self.beta2), self.eps = float(lr), betas, float(eps)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        # one step counter per parameter, on its device, as the fused kernel expects
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        index = [i for i, p in enumerate(self.params) if p.grad is not None]
        if not index:
            return
        if len(index) == len(self.params):
            params, avg, avg_sq, steps = self.params, self.exp_avg, self.exp_avg_sq, self.steps
        else:  # some parameters got no gradient this time: they keep their state untouched
            params, avg, avg_sq, steps = (
                [seq[i] for i in index] for seq in (self.params, self.exp_avg, self.exp_avg_sq, self.steps)
            )
        torch._foreach_add_(steps, 1)
        torch._fused_adam_(
            params,
            [p.grad for p in params],
            avg,
            avg_sq,
            [],
            steps,
            lr=self.lr,
            beta1=self.beta1,
            beta2=self.beta2,
            weight_decay=0.0,
            eps=self.eps,
            amsgrad=False,
            maximize=False,
        )

    def state_dict(self) -> dict:
        return {
            "lr": self.lr,
            "betas": [self.beta1, self.beta2],
            "eps": self.eps,
            "exp_avg": [t.clone() for t in self.exp_avg],
            "exp_avg_sq": [t.clone() for t in self.exp_avg_sq],
            "steps": [t.clone() for t in self.steps],
        }

    def load_state_dict(self, state: dict) -> None:
        if len(state["exp_avg"]) != len(self.params):
            raise ValueError(
                f"Adam state holds {len(state['exp_avg'])} parameters, this optimizer has {len(self.params)}"
            )
        self.lr, (self.beta1, self.beta2), self.eps = state["lr"], state["betas"], state["eps"]
        for name in ("exp_avg", "exp_avg_sq", "steps"):
            for mine, saved in zip(getattr(self, name), state[name], strict=True):
                mine.copy_(saved)
