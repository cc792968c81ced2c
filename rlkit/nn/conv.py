"""2-D convolution as unfold → matrix product → reshape, with the backward written by hand (fold = adjoint).

``unfold`` copies every kh×kw patch of the (padded) input into one row of a patch matrix X of shape (P, K):
P = N·Ho·Wo patches, K = C·kh·kw entries per patch. With the kernels vectorised into W of shape (K, O), the
convolution is the single product z = X·W (+ b), and z of shape (P, O) reshapes to the output map.
Backward is that product's two gradients, dQ/dW = Xᵀ·dQ/dz and dQ/dX = dQ/dz·Wᵀ, then ``fold`` sums every
patch entry of dQ/dX back onto the input element it was copied from. See docs/pages/backprop.md.

Memory layout (all that makes this fast on CPU, none of it changes the maths): the input is read in channels-last
memory (an NCHW-contiguous input, such as observations, is copied into it once: a pass over the input, where the
patch matrix is up to kh·kw/stride² times larger), the patch rows are gathered through a strided view of it
(``Tensor.unfold``), and a patch's K entries are ordered (kh, kw, C), so the gather copies runs of kw·C
contiguous numbers — kw·C = 12 for MinAtar's first layer, where NCHW order would give runs of kw = 3. The output
z of shape (P, O) *is* the NHWC map, so it is returned as a channels-last NCHW view without a copy, and the next
convolution reads it as it is.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rlkit.nn.activations import ACTIVATION_BACKWARD, activate_

Pair = int | tuple[int, int]


def as_pair(value: Pair, name: str) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; a pair stays a pair; anything else is a ValueError naming ``name``."""
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) for v in pair):
        raise ValueError(f"{name}={value!r} must be an int or a pair of ints")
    return pair  # type: ignore[return-value]


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


def _zeros(shape: tuple[int, ...], like: Tensor) -> Tensor:
    return torch.empty(shape, dtype=like.dtype, device=like.device, memory_format=torch.channels_last).zero_()


def _pad(x: Tensor, padding: tuple[int, int]) -> Tensor:
    """Zero-padded channels-last copy of x (x itself when there is no padding)."""
    ph, pw = padding
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    xp = _zeros((n, c, h + 2 * ph, w + 2 * pw), x)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def _patch_view(xp: Tensor, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]) -> Tensor:
    """View (no copy) of every patch of the padded input: (N, Ho, Wo, kh, kw, C).

    ``Tensor.unfold`` slides a window of the dilated kernel's extent along H, then W, with the stride's step,
    and ``::dilation`` keeps the entries the kernel actually touches — only strides change, nothing is copied.
    """
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    windows = xp.unfold(2, dh * (kh - 1) + 1, sh).unfold(3, dw * (kw - 1) + 1, sw)  # (N, C, Ho, Wo, ·, ·)
    patches = windows[..., ::dh, ::dw]  # (N, C, Ho, Wo, kh, kw)
    return patches.permute(0, 2, 3, 4, 5, 1)


def _fold(grad_patches: Tensor, x_shape: tuple[int, int, int, int], kernel: tuple[int, int],
          stride: tuple[int, int], padding: tuple[int, int], dilation: tuple[int, int]) -> Tensor:
    """Adjoint of unfold: add each patch entry of ``grad_patches`` (P, K) onto the input element it came from.

    For each kernel offset (i, j), entry (i, j) of all Ho×Wo patches was copied from the strided window of the
    input starting at (i·dh, j·dw) with step (sh, sw); add that slab back there. Elements covered by several
    patches receive the sum of all their copies; padding is cropped off at the end.
    """
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    ho, wo = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1, (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    grad_xp = _zeros((n, c, h + 2 * ph, w + 2 * pw), grad_patches)
    slabs = grad_patches.view(n, ho, wo, kh, kw, c).permute(3, 4, 0, 5, 1, 2)  # (kh, kw, N, C, Ho, Wo)
    for i in range(kh):
        for j in range(kw):
            r, q = i * dh, j * dw
            grad_xp[:, :, r:r + sh * (ho - 1) + 1:sh, q:q + sw * (wo - 1) + 1:sw] += slabs[i, j]
    return grad_xp[:, :, ph:ph + h, pw:pw + w]


def _kernel_matrix(weight: Tensor) -> Tensor:
    """The kernels vectorised in the patches' (kh, kw, C) entry order, one per row: Wᵀ of shape (O, K)."""
    return weight.permute(0, 2, 3, 1).reshape(weight.shape[0], -1)


def _conv_forward(x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, int],
                  padding: tuple[int, int], dilation: tuple[int, int],
                  activation: str | None) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """The output map; the patch matrix X (P, K) and kernel matrix Wᵀ (O, K) that the backward reads; and the
    output as the (P, O) matrix it is in memory (an activation's A is made of it)."""
    n, _, h, w = x.shape
    out_ch, _, kh, kw = weight.shape
    ho = (h + 2 * padding[0] - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    wo = (w + 2 * padding[1] - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    xp = _pad(x.contiguous(memory_format=torch.channels_last), padding)  # no copy when it is already
    patches = _patch_view(xp, (kh, kw), stride, dilation)
    x_mat = patches.reshape(n * ho * wo, -1)  # unfold: X, one row per patch, (P, K)
    w_mat = _kernel_matrix(weight)  # Wᵀ, (O, K)
    # z = X·W + b, (P, O), then the activation in place on it
    z = activate_(x_mat.mm(w_mat.t()) if bias is None else torch.addmm(bias, x_mat, w_mat.t()), activation)
    return z.view(n, ho, wo, out_ch).permute(0, 3, 1, 2), x_mat, w_mat, z  # (P, O) is the NHWC map: NCHW view


class Conv2dFunction(torch.autograd.Function):
    """Cross-correlation (PyTorch's convolution) over NCHW input: unfold → z = X·W + b → reshape, optionally
    followed by an activation in the same node (``conv2d(..., activation="relu")``, as the CNNs use it)."""

    @staticmethod
    def forward(ctx, x: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple[int, int],
                padding: tuple[int, int], dilation: tuple[int, int], activation: str | None = None) -> Tensor:
        out, x_mat, w_mat, z = _conv_forward(x, weight, bias, stride, padding, dilation, activation)
        ctx.save_for_backward(x_mat, w_mat, *([z] if activation is not None else []))
        ctx.geometry = (tuple(x.shape), tuple(weight.shape[2:]), stride, padding, dilation, activation)
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x_mat, w_mat, *activated = ctx.saved_tensors
        x_shape, kernel, stride, padding, dilation, activation = ctx.geometry
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        out_ch = grad_out.shape[1]
        grad_z = grad_out.permute(0, 2, 3, 1).reshape(-1, out_ch)  # dQ/dz, (P, O), in the rows' patch order
        if activation is not None:
            grad_z = ACTIVATION_BACKWARD[activation](activated[0], grad_z)  # dQ/dz = A ∘ dQ/dX′
        grad_x = grad_w = grad_b = None
        if need_x:
            grad_patches = grad_z.mm(w_mat)  # dQ/dX = dQ/dz · Wᵀ, (P, K)
            grad_x = _fold(grad_patches, x_shape, kernel, stride, padding, dilation)
        if need_w:
            grad_w_mat = grad_z.t().mm(x_mat)  # (dQ/dW)ᵀ = (Xᵀ·dQ/dz)ᵀ, (O, K): one product over all patches
            grad_w = grad_w_mat.view(out_ch, *kernel, x_shape[1]).permute(0, 3, 1, 2).contiguous()  # (O, C, kh, kw)
        if need_b:
            grad_b = grad_z.sum(0)  # dQ/db = sum of dQ/dz over all patches
        return grad_x, grad_w, grad_b, None, None, None, None


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Pair = 1, padding: Pair = 0,
           dilation: Pair = 1, activation: str | None = None) -> Tensor:
    """NCHW convolution with a hand-written backward; same contract as ``F.conv2d`` with ``groups=1``.
    ``activation`` ("relu", "tanh") applies that activation to the output in the same autograd node."""
    if activation not in (*ACTIVATION_BACKWARD, None):
        raise ValueError(f"activation={activation!r} is not one of {sorted(ACTIVATION_BACKWARD)} or None")
    bias_shape = None if bias is None else tuple(bias.shape)
    stride_, padding_, dilation_ = check_conv2d_args(tuple(x.shape), tuple(weight.shape), bias_shape,
                                                     stride, padding, dilation)
    if not torch.is_grad_enabled():  # acting, targets: no graph, so no autograd node and nothing saved
        return _conv_forward(x, weight, bias, stride_, padding_, dilation_, activation)[0]
    return Conv2dFunction.apply(x, weight, bias, stride_, padding_, dilation_, activation)
