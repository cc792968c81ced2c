"""Modules over rlkit.nn.functional with torch.nn-compatible signatures and initialisation.

``impl="explicit"`` (default) runs our hand-derived backward; ``impl="native"`` runs PyTorch's own op, so any
network can be compared against the reference implementation by flipping one config value.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rlkit.nn import functional as RF

IMPLS = ("explicit", "native")


def check_impl(impl: str) -> str:
    if impl not in IMPLS:
        raise ValueError(f"impl={impl!r} is not one of {IMPLS}")
    return impl


class Linear(nn.Module):
    """y = x·Wᵀ + b, initialised exactly like ``torch.nn.Linear`` (Kaiming-uniform with a=√5)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, impl: str = "explicit",
                 device=None, dtype=None) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.impl = check_impl(impl)
        self.weight = nn.Parameter(torch.empty(out_features, in_features, device=device, dtype=dtype))
        self.bias = nn.Parameter(torch.empty(out_features, device=device, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if self.impl == "native":
            return F.linear(x, self.weight, self.bias)
        return RF.linear(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, " \
               f"bias={self.bias is not None}, impl={self.impl}"
