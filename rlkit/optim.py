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
        # lr also lives in a 0-d tensor that the foreach path reads, so a schedule changing it (lr_decay_steps)
        # neither recompiles a compiled step nor goes stale inside a captured CUDA graph
        self.lr_tensor = torch.zeros((), device=self.params[0].device if self.params else "cpu")
        self.lr, (self.beta1, self.beta2), self.eps = float(lr), betas, float(eps)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        # one step counter per parameter, on its device, as the fused kernel expects
        self.steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]
        self.fused = True  # False: the foreach path that torch.compile / CUDA graphs can capture (Agent.compile)

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = float(value)
        self.lr_tensor.fill_(self._lr)

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
        if not self.fused:
            self.foreach_step(params, [p.grad for p in params], avg, avg_sq, steps)
            return
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

    def foreach_step(self, params: list[Tensor], grads: list[Tensor], avg: list[Tensor], avg_sq: list[Tensor],
                     steps: list[Tensor]) -> None:
        """The same update in ``torch._foreach_*`` ops with the bias corrections as tensors: no Python branch on a
        tensor value and no host sync, so ``torch.compile`` and CUDA graphs capture it (the fused kernel they
        cannot). Agrees with the fused kernel to float rounding (tests/test_optim.py)."""
        torch._foreach_lerp_(avg, grads, 1 - self.beta1)
        torch._foreach_mul_(avg_sq, self.beta2)
        torch._foreach_addcmul_(avg_sq, grads, grads, 1 - self.beta2)
        correction1 = torch._foreach_sub(torch._foreach_pow(self.beta1, steps), 1)  # −(1 − β₁ᵗ)
        correction2 = torch._foreach_sqrt(torch._foreach_neg(torch._foreach_sub(torch._foreach_pow(self.beta2, steps),
                                                                                 1)))  # √(1 − β₂ᵗ)
        step_size = torch._foreach_div(correction1, self.lr_tensor)  # −(1 − β₁ᵗ)/lr
        denom = torch._foreach_add(torch._foreach_div(torch._foreach_sqrt(avg_sq), correction2), self.eps)
        torch._foreach_mul_(denom, step_size)  # −(1 − β₁ᵗ)/lr · (√v̂ + ε)
        torch._foreach_addcdiv_(params, avg, denom)  # θ ← θ − lr·m̂ / (√v̂ + ε)

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
