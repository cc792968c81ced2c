"""Backpropagation through a whole fully-connected network as one ``torch.autograd.Function``.

The lecture notes' algorithm, layer for layer: the forward pass runs every layer Z_l = X_{l−1}·W_lᵀ + b_l,
X_l = act(Z_l) and keeps what the chain rule will need (the network's input and each layer's output X_l); the
backward pass starts from dQ/dX_L and walks down the layers with the FC layer's three formulas

    dQ/dZ_l = A_l ∘ dQ/dX_l     (A_l = act′, from X_l alone: 1[X_l > 0] for ReLU, 1 − X_l² for tanh)
    dQ/dW_l = (dQ/dZ_l)ᵀ·X_{l−1},   dQ/db_l = Σ_rows dQ/dZ_l,   dQ/dX_{l−1} = dQ/dZ_l·W_l

(docs/pages/backprop.md, "The whole network"). One autograd node for the network instead of one per layer and
per activation: for 64-wide layers the products are a few microseconds, and what a step costs is mostly the
bookkeeping per node. Nothing is saved that the formulas do not read, and a gradient nobody asked for
(``ctx.needs_input_grad``: a frozen critic under the actor's step, an input that is data) is not computed —
including dQ/dX_0 for the network's input, which then costs no product at all.
"""

from __future__ import annotations

import torch
from torch import Tensor

from rlkit.nn.activations import ACTIVATION_BACKWARD, activate_

ACTIVATIONS = tuple(ACTIVATION_BACKWARD)


def _forward(x: Tensor, params: tuple[Tensor, ...], activation: str, out_activation: str | None,
             keep: list[Tensor] | None) -> Tensor:
    """X_L from X_0 = x; appends to ``keep`` (when given) what the backward reads: X_0, …, X_{L−1}, and X_L when
    an output activation's A is made of it (a linear output layer's A is 1)."""
    out = x
    for layer in range(len(params) // 2 - 1):
        out = torch.addmm(params[2 * layer + 1], out, params[2 * layer].t())  # Z = X·Wᵀ + b
        out = activate_(out, activation)  # X = act(Z) in place: nothing else holds Z
        if keep is not None:
            keep.append(out)
    out = torch.addmm(params[-1], out, params[-2].t())
    if out_activation is not None:
        out = activate_(out, out_activation)
        if keep is not None:
            keep.append(out)
    return out


class WholeMLPFunction(torch.autograd.Function):
    """X_L of an MLP for X_0 of shape (N, in) and parameters (W_1, b_1, …, W_L, b_L), W_l of shape (out, in).

    ``activation`` follows every hidden layer, ``out_activation`` (or ``None``) the last one.
    """

    @staticmethod
    def forward(ctx, x: Tensor, activation: str, out_activation: str | None, *params: Tensor) -> Tensor:
        saved = [x]
        out = _forward(x, params, activation, out_activation, saved)
        ctx.save_for_backward(*saved, *params[0::2])
        ctx.activations = activation, out_activation
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        activation, out_activation = ctx.activations
        needs = ctx.needs_input_grad
        saved = ctx.saved_tensors
        layers = (len(needs) - 3) // 2
        inputs, weights = saved[:layers], saved[-layers:]
        grads: list[Tensor | None] = [None] * (2 * layers)
        grad_z = grad_out if out_activation is None else ACTIVATION_BACKWARD[out_activation](saved[layers], grad_out)
        for layer in range(layers - 1, -1, -1):
            if needs[3 + 2 * layer]:
                grads[2 * layer] = grad_z.t().mm(inputs[layer])  # dQ/dW = (dQ/dZ)ᵀ·X
            if needs[4 + 2 * layer]:
                grads[2 * layer + 1] = grad_z.sum(0)  # dQ/db = column sums of dQ/dZ
            if layer == 0 and not needs[0]:
                break  # the network's input needs no gradient: skip the bottom product
            grad_x = grad_z.mm(weights[layer])  # dQ/dX = dQ/dZ·W
            if layer == 0:
                return (grad_x, None, None, *grads)
            grad_z = ACTIVATION_BACKWARD[activation](inputs[layer], grad_x)
        return (None, None, None, *grads)


def whole_mlp(x: Tensor, params: list[Tensor] | tuple[Tensor, ...], activation: str,
              out_activation: str | None = None) -> Tensor:
    """The MLP with parameters (W_1, b_1, …, W_L, b_L) on ``x`` of shape (..., in), as one autograd node."""
    if activation not in ACTIVATIONS or out_activation not in (*ACTIVATIONS, None):
        raise ValueError(f"activation={activation!r}, out_activation={out_activation!r}: "
                         f"each must be one of {ACTIVATIONS} (out_activation may be None)")
    flat = x if x.dim() == 2 else x.reshape(-1, x.shape[-1])  # any leading dims (or none) fold into the batch
    if torch.is_grad_enabled():
        out = WholeMLPFunction.apply(flat, activation, out_activation, *params)
    else:  # acting, targets: no graph to record, so no autograd node and nothing saved
        out = _forward(flat, tuple(params), activation, out_activation, None)
    return out if x.dim() == 2 else out.reshape(*x.shape[:-1], -1)
