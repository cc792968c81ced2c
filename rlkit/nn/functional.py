"""Differentiable ops whose backward passes are written by hand from the chain rule.

Each op is a ``torch.autograd.Function``: ``forward`` computes the layer, ``backward`` receives dQ/d(output)
and returns dQ/d(input) for each input that needs it (``ctx.needs_input_grad``). No autograd runs inside a
backward. The derivations are in docs/backprop.md.
"""

from __future__ import annotations

import torch
from torch import Tensor


class LinearFunction(torch.autograd.Function):
    """Z = X·Wᵀ + b for X of shape (..., in), W of shape (out, in), b of shape (out,)."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, weight)
        ctx.has_bias = bias is not None
        if bias is None:
            return x.matmul(weight.t())
        if x.dim() == 2:
            return torch.addmm(bias, x, weight.t())  # one fused kernel for the common batch case
        return x.matmul(weight.t()) + bias

    @staticmethod
    def backward(ctx, grad_z: Tensor):
        x, weight = ctx.saved_tensors
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = grad_z.matmul(weight)  # dQ/dX = dQ/dZ · W
        if ctx.needs_input_grad[1] or (ctx.has_bias and ctx.needs_input_grad[2]):
            grad_z2 = grad_z.reshape(-1, grad_z.shape[-1])
            if ctx.needs_input_grad[1]:
                grad_w = grad_z2.t().matmul(x.reshape(-1, x.shape[-1]))  # dQ/dW = (dQ/dZ)ᵀ · X
            if ctx.has_bias and ctx.needs_input_grad[2]:
                grad_b = grad_z2.sum(0)  # dQ/db = column sums of dQ/dZ
        return grad_x, grad_w, grad_b


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Fully-connected layer with a hand-written backward; same contract as ``torch.nn.functional.linear``."""
    return LinearFunction.apply(x, weight, bias)
