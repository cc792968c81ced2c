"""The elementwise activations' forward (in place on a fresh pre-activation) and hand-written backward.

An activation X′ = f(Z) has a diagonal Jacobian, so dQ/dZ = A ∘ dQ/dX′ with A = f′(Z), here made of the saved
output X′ alone (docs/pages/backprop.md, section 2). Shared by the per-layer ops (functional.py), the whole-MLP
node (whole_mlp.py) and the convolution (conv.py).
"""

from __future__ import annotations

import torch
from torch import Tensor


def relu_backward(out: Tensor, grad_out: Tensor) -> Tensor:
    # dQ/dZ = A ∘ dQ/dX′ with A = 1[x > 0] = sign(X′) (X′ ≥ 0), as a float mask: one fast elementwise pass
    # where boolean masks (masked_fill, where) cost several times more on CPU
    return out.sign().mul_(grad_out)


def tanh_backward(out: Tensor, grad_out: Tensor) -> Tensor:
    return torch.addcmul(grad_out, grad_out, out * out, value=-1)  # dQ/dZ = A ∘ dQ/dX′, A = 1 − X′²


ACTIVATION_BACKWARD = {"relu": relu_backward, "tanh": tanh_backward}


def activate_(z: Tensor, name: str | None) -> Tensor:
    """X′ = f(Z) in place on a pre-activation Z that nothing else holds; ``None`` is the identity."""
    if name is None:
        return z
    return z.clamp_min_(0) if name == "relu" else z.tanh_()
