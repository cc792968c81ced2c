"""Differentiable ops whose backward passes are written by hand from the chain rule.

Each op is a ``torch.autograd.Function``: ``forward`` computes the layer, ``backward`` receives dQ/d(output)
and returns dQ/d(input) for each input that needs it (``ctx.needs_input_grad``). No autograd runs inside a
backward. The derivations are in docs/backprop.md.

The public wrappers (``linear``, ``relu``, ``tanh``, ``conv2d``) check shapes first and raise a ``ValueError``
naming them, so a bad input fails before any computation rather than deep inside a matmul.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

Pair = int | tuple[int, int]


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
        return grad_out.masked_fill(out <= 0, 0)  # dQ/dZ = A ∘ dQ/dX′, A = 1[x > 0]


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
        return grad_out * (1 - out * out)  # dQ/dZ = A ∘ dQ/dX′, A = 1 − X′²


class Conv2dFunction(torch.autograd.Function):
    """2-D convolution (cross-correlation, as in PyTorch) as unfold → matrix product → reshape.

    With P = N·L patches of K = C·kh·kw entries each, X is the (P, K) patch matrix and W the (K, O) matrix of
    vectorised kernels, so z = X·W. We store X transposed per sample, ``cols`` of shape (N, K, L) — exactly
    what ``F.unfold`` returns — and compute zᵀ = Wᵀ·Xᵀ per sample, which lands directly in NCHW order.
    """

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, int],
                padding: tuple[int, int], dilation: tuple[int, int]) -> Tensor:
        n, _, h, w = x.shape
        out_ch, _, kh, kw = weight.shape
        h_out, w_out = _out_size((h, w), (kh, kw), stride, padding, dilation)
        cols = F.unfold(x, (kh, kw), dilation=dilation, padding=padding, stride=stride)  # (N, K, L): Xᵀ
        w_mat = weight.reshape(out_ch, -1)  # (O, K): Wᵀ, one vectorised kernel per row
        if bias is None:
            out = torch.matmul(w_mat, cols)  # (N, O, L) = Wᵀ·Xᵀ per sample = zᵀ
        else:
            out = torch.baddbmm(bias.view(1, out_ch, 1), w_mat.expand(n, -1, -1), cols)
        ctx.save_for_backward(cols, weight)
        ctx.has_bias = bias is not None
        ctx.geometry = ((h, w), (kh, kw), stride, padding, dilation)
        return out.view(n, out_ch, h_out, w_out)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        cols, weight = ctx.saved_tensors
        (h, w), kernel, stride, padding, dilation = ctx.geometry
        n, out_ch = grad_out.shape[:2]
        grad_z = grad_out.reshape(n, out_ch, -1)  # (N, O, L): (dQ/dz)ᵀ per sample
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            w_mat = weight.reshape(out_ch, -1)
            grad_cols = torch.matmul(w_mat.t(), grad_z)  # (N, K, L) = (dQ/dz · Wᵀ)ᵀ: dQ/dX per patch
            # fold sums each patch entry back onto the input pixel it was copied from (unfold's adjoint)
            grad_x = F.fold(grad_cols, (h, w), kernel, dilation=dilation, padding=padding, stride=stride)
        if ctx.needs_input_grad[1]:
            # dQ/dW = Xᵀ·dQ/dz summed over all N·L patches, as one (O, N·L)·(N·L, K) product
            grad_w = torch.bmm(grad_z, cols.transpose(1, 2)).sum(0).view_as(weight)
        if ctx.has_bias and ctx.needs_input_grad[2]:
            grad_b = grad_z.sum((0, 2))  # dQ/db = sum of dQ/dz over every patch
        return grad_x, grad_w, grad_b, None, None, None


def as_pair(value: Pair, name: str) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; a pair stays a pair; anything else is a ValueError naming ``name``."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise ValueError(f"{name}={value!r} must be an int or a pair of ints")
    return pair  # type: ignore[return-value]


def _out_size(size: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
              padding: tuple[int, int], dilation: tuple[int, int]) -> tuple[int, int]:
    return tuple((s + 2 * p - d * (k - 1) - 1) // st + 1  # type: ignore[return-value]
                 for s, k, st, p, d in zip(size, kernel, stride, padding, dilation, strict=True))


def check_conv2d_args(x_shape: tuple[int, ...], w_shape: tuple[int, ...], bias_shape: tuple[int, ...] | None,
                      stride: Pair, padding: Pair, dilation: Pair):
    """Check a conv2d call before computing: (stride, padding, dilation) as pairs, or a ValueError."""
    stride_, padding_ = as_pair(stride, "stride"), as_pair(padding, "padding")
    dilation_ = as_pair(dilation, "dilation")
    where = f"conv2d(input {tuple(x_shape)}, weight {tuple(w_shape)})"
    if len(w_shape) != 4:
        raise ValueError(f"{where}: weight must be 4-D (out_channels, in_channels, kh, kw)")
    if len(x_shape) != 4:
        raise ValueError(f"{where}: input must be 4-D (N, C, H, W), got rank {len(x_shape)}")
    if x_shape[1] != w_shape[1]:
        raise ValueError(f"{where}: input has {x_shape[1]} channels but weight expects {w_shape[1]}")
    if bias_shape is not None and tuple(bias_shape) != (w_shape[0],):
        raise ValueError(f"{where}: bias shape {tuple(bias_shape)} must be ({w_shape[0]},)")
    if min(stride_) <= 0 or min(dilation_) <= 0 or min(padding_) < 0:
        raise ValueError(f"{where}: stride {stride_} and dilation {dilation_} must be positive, "
                         f"padding {padding_} non-negative")
    padded = tuple(s + 2 * p for s, p in zip(x_shape[2:], padding_, strict=True))
    span = tuple(d * (k - 1) + 1 for k, d in zip(w_shape[2:], dilation_, strict=True))
    if any(k > s for k, s in zip(span, padded, strict=True)):
        raise ValueError(f"{where}: kernel (dilated extent {span}) is larger than the padded input {padded}")
    return stride_, padding_, dilation_


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Fully-connected layer with a hand-written backward; same contract as ``torch.nn.functional.linear``."""
    if x.dim() < 1 or weight.dim() != 2 or x.shape[-1] != weight.shape[1]:
        raise ValueError(f"linear(input {tuple(x.shape)}, weight {tuple(weight.shape)}): "
                         f"input's last dimension must equal weight's in_features")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise ValueError(f"linear: bias shape {tuple(bias.shape)} must be ({weight.shape[0]},)")
    return LinearFunction.apply(x, weight, bias)


def relu(x: Tensor) -> Tensor:
    """ReLU with a hand-written backward (mask of positive outputs); same contract as ``F.relu``."""
    return ReLUFunction.apply(x)


def tanh(x: Tensor) -> Tensor:
    """tanh with a hand-written backward (1 − tanh²); same contract as ``torch.tanh``."""
    return TanhFunction.apply(x)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Pair = 1, padding: Pair = 0,
           dilation: Pair = 1) -> Tensor:
    """NCHW convolution with a hand-written backward; same contract as ``F.conv2d`` with ``groups=1``."""
    bias_shape = None if bias is None else tuple(bias.shape)
    stride_, padding_, dilation_ = check_conv2d_args(tuple(x.shape), tuple(weight.shape), bias_shape,
                                                     stride, padding, dilation)
    return Conv2dFunction.apply(x, weight, bias, stride_, padding_, dilation_)
