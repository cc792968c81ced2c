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


class Conv2d(nn.Module):
    """2-D convolution over NCHW input, with ``torch.nn.Conv2d``'s constructor and initialisation.

    Only ``groups=1`` and ``padding_mode="zeros"`` are implemented (what the encoders need); other values
    raise a ``ValueError`` rather than silently computing something else. Padding is an int or a pair.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: RF.Pair, stride: RF.Pair = 1,
                 padding: RF.Pair = 0, dilation: RF.Pair = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", impl: str = "explicit", device=None, dtype=None) -> None:
        super().__init__()
        if groups != 1 or padding_mode != "zeros":
            raise ValueError(f"Conv2d supports groups=1 and padding_mode='zeros' only, "
                             f"got groups={groups}, padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = RF.as_pair(kernel_size, "kernel_size")
        self.stride, self.padding = RF.as_pair(stride, "stride"), RF.as_pair(padding, "padding")
        self.dilation = RF.as_pair(dilation, "dilation")
        if min(*self.kernel_size, *self.stride, *self.dilation) <= 0 or min(self.padding) < 0:
            raise ValueError(f"Conv2d: kernel_size {self.kernel_size}, stride {self.stride} and dilation "
                             f"{self.dilation} must be positive, padding {self.padding} non-negative")
        self.impl = check_impl(impl)
        self.weight = nn.Parameter(torch.empty(out_channels, in_channels, *self.kernel_size, device=device,
                                               dtype=dtype))
        self.bias = nn.Parameter(torch.empty(out_channels, device=device, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Same draws, in the same order, as ``torch.nn.Conv2d.reset_parameters``."""
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight[0].numel()
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        if self.impl == "native":
            return F.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)
        return RF.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, " \
               f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}, " \
               f"bias={self.bias is not None}, impl={self.impl}"


class ReLU(nn.Module):
    """max(x, 0); ``impl`` picks our hand-written backward or ``torch.relu``."""

    def __init__(self, impl: str = "explicit") -> None:
        super().__init__()
        self.impl = check_impl(impl)

    def forward(self, x: Tensor) -> Tensor:
        return torch.relu(x) if self.impl == "native" else RF.relu(x)

    def extra_repr(self) -> str:
        return f"impl={self.impl}"


class Tanh(nn.Module):
    """tanh(x); ``impl`` picks our hand-written backward or ``torch.tanh``."""

    def __init__(self, impl: str = "explicit") -> None:
        super().__init__()
        self.impl = check_impl(impl)

    def forward(self, x: Tensor) -> Tensor:
        return torch.tanh(x) if self.impl == "native" else RF.tanh(x)

    def extra_repr(self) -> str:
        return f"impl={self.impl}"


class Sequential(nn.Sequential):
    """``nn.Sequential`` that runs each explicit ``Linear`` or ``Conv2d`` directly followed by an explicit
    ``ReLU``/``Tanh`` as one fused autograd node (``functional.linear_act``, ``conv2d(..., activation=)``): same
    maths, one node and one Python call less per layer.

    Children, their order and the state-dict keys are exactly those of ``nn.Sequential``.
    """

    def forward(self, x: Tensor) -> Tensor:
        layers = list(self)
        i = 0
        while i < len(layers):
            layer, nxt = layers[i], layers[i + 1] if i + 1 < len(layers) else None
            fused = type(layer) in (Linear, Conv2d) and layer.impl == "explicit" and type(nxt) in (ReLU, Tanh) \
                and nxt.impl == "explicit"
            if not fused:
                x = layer(x)
                i += 1
                continue
            activation = "relu" if type(nxt) is ReLU else "tanh"
            if type(layer) is Linear:
                x = RF.linear_act(x, layer.weight, layer.bias, activation)
            else:
                x = RF.conv2d(x, layer.weight, layer.bias, layer.stride, layer.padding, layer.dilation, activation)
            i += 2
        return x
