"""Differentiable ops whose backward passes are written by hand from the chain rule.

Each op is a ``torch.autograd.Function``: ``forward`` computes the layer, ``backward`` receives dQ/d(output)
and returns dQ/d(input) for each input that needs it (``ctx.needs_input_grad``). No autograd runs inside a
backward. The derivations are in docs/pages/backprop.md.

The public wrappers (``linear``, ``relu``, ``tanh``, ``conv2d``) check shapes first and raise a ``ValueError``
naming them, so a bad input fails before any computation rather than deep inside a matmul.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rlkit.nn.activations import ACTIVATION_BACKWARD, activate_, relu_backward, tanh_backward
from rlkit.nn.conv import Conv2dFunction, Pair, as_pair, conv2d

__all__ = ["Conv2dFunction", "LinearActFunction", "LinearFunction", "Pair", "ReLUFunction", "TanhFunction",
           "as_pair", "conv2d", "linear", "linear_act", "relu", "tanh"]


def _linear_forward(x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
    if bias is None:
        return x.matmul(weight.t())
    if x.dim() == 2:
        return torch.addmm(bias, x, weight.t())  # Z = X·Wᵀ + b in one fused kernel for the common batch case
    return x.matmul(weight.t()).add_(bias)


def _linear_backward(grad_z: Tensor, x: Tensor, weight: Tensor, needs: tuple[bool, ...]):
    """The FC layer's three gradients from dQ/dZ; only those flagged in ``needs`` are computed."""
    need_x, need_w, need_b = needs
    grad_x = grad_z.matmul(weight) if need_x else None  # dQ/dX = dQ/dZ · W
    if x.dim() != 2:  # fold any leading batch dimensions into one: rows of X ↔ rows of dQ/dZ
        grad_z, x = grad_z.reshape(-1, grad_z.shape[-1]), x.reshape(-1, x.shape[-1])
    grad_w = grad_z.t().mm(x) if need_w else None  # dQ/dW = (dQ/dZ)ᵀ · X
    grad_b = grad_z.sum(0) if need_b else None  # dQ/db = column sums of dQ/dZ
    return grad_x, grad_w, grad_b


class LinearFunction(torch.autograd.Function):
    """Z = X·Wᵀ + b for X of shape (..., in), W of shape (out, in), b of shape (out,)."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        ctx.save_for_backward(x, weight)
        return _linear_forward(x, weight, bias)

    @staticmethod
    def backward(ctx, grad_z: Tensor):
        x, weight = ctx.saved_tensors
        return _linear_backward(grad_z, x, weight, ctx.needs_input_grad)  # need_b is False without a bias


class ReLUFunction(torch.autograd.Function):
    """X′ = max(X, 0) elementwise; its derivative A is the 0/1 mask of the positive entries."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out = x.clamp_min(0)
        ctx.save_for_backward(out)  # out > 0 exactly where x > 0, so the output alone gives the mask
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return relu_backward(out, grad_out)


class TanhFunction(torch.autograd.Function):
    """X′ = tanh(X) elementwise; its derivative is A = 1 − tanh(X)², computed from the saved output."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out = torch.tanh(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return tanh_backward(out, grad_out)


class LinearActFunction(torch.autograd.Function):
    """X′ = act(X·Wᵀ + b): ``LinearFunction`` then ``ReLUFunction``/``TanhFunction`` as one autograd node.

    Same formulas (the helpers above), applied in the same order; only the Python overhead of a second
    autograd node per layer is saved — a noticeable share of a small MLP's step time on CPU. The activation
    runs in place on the fresh pre-activation Z, which nothing else holds.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None, activation: str) -> Tensor:
        out = activate_(_linear_forward(x, weight, bias), activation)
        ctx.save_for_backward(x, weight, out)
        ctx.activation = activation
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight, out = ctx.saved_tensors
        grad_z = ACTIVATION_BACKWARD[ctx.activation](out, grad_out)
        return (*_linear_backward(grad_z, x, weight, ctx.needs_input_grad[:3]), None)


def _check_linear(x: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    if x.dim() < 1 or weight.dim() != 2 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear(input {tuple(x.shape)}, weight {tuple(weight.shape)}): "
                         f"input's last dimension must equal weight's in_features")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"linear: bias shape {tuple(bias.shape)} must be ({weight.shape[0]},)")


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Fully-connected layer with a hand-written backward; same contract as ``torch.nn.functional.linear``."""
    _check_linear(x, weight, bias)
    if not torch.is_grad_enabled():  # no graph to record: no autograd node, nothing saved
        return _linear_forward(x, weight, bias)
    return LinearFunction.apply(x, weight, bias)


def linear_act(x: Tensor, weight: Tensor, bias: Tensor | None, activation: str) -> Tensor:
    """``relu(linear(x, weight, bias))`` or ``tanh(...)`` as one op, with the same hand-written backward."""
    if activation not in ACTIVATION_BACKWARD:
        raise ValueError(f"activation={activation!r} is not one of {sorted(ACTIVATION_BACKWARD)}")
    _check_linear(x, weight, bias)
    if not torch.is_grad_enabled():
        return activate_(_linear_forward(x, weight, bias), activation)
    return LinearActFunction.apply(x, weight, bias, activation)


def relu(x: Tensor) -> Tensor:
    """ReLU with a hand-written backward (mask of positive outputs); same contract as ``F.relu``."""
    return ReLUFunction.apply(x) if torch.is_grad_enabled() else x.clamp_min(0)


def tanh(x: Tensor) -> Tensor:
    """tanh with a hand-written backward (1 − tanh²); same contract as ``torch.tanh``."""
    return TanhFunction.apply(x) if torch.is_grad_enabled() else torch.tanh(x)
