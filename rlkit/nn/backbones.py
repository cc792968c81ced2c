"""Networks assembled from rlkit layers, agnostic of the agents that use them.

* ``MLP``: vector in → vector out, the network of every agent on vector observations.
* ``CNN``: an image encoder, NCHW in → feature vector out; ``"nature"`` (Mnih et al. 2015, 84×84 Atari
  frames) and ``"minatar"`` (Young & Tian 2019, 10×10 MinAtar grids).
* ``make_encoder(kind, obs_shape)``: a CNN, or a plain flatten for vector observations (``kind="auto"``
  picks by shape, ``choose_encoder``); ``EncoderHead`` puts
  an MLP head on any encoder (e.g. Q-values or policy logits), so agents only say what they output.

Every constructor takes ``impl="explicit"|"native"`` and passes it to all of its layers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from rlkit.nn.layers import Conv2d, Linear, ReLU, Sequential, Tanh, check_impl
from rlkit.nn.whole_mlp import whole_mlp

ACTIVATIONS: dict[str, type[nn.Module]] = {"relu": ReLU, "tanh": Tanh}

# (out_channels, kernel, stride) per conv layer, then the width of the fully-connected feature layer
CNN_SPECS: dict[str, tuple[tuple[tuple[int, int, int], ...], int]] = {
    "nature": (((32, 8, 4), (64, 4, 2), (64, 3, 1)), 512),
    "minatar": (((16, 3, 1),), 128),
}


def make_activation(name: str, impl: str = "explicit") -> nn.Module:
    """Activation module by name ("relu" or "tanh"), explicit or native."""
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r} is not one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name](impl=impl)


class MLP(nn.Module):
    """in_dim → hidden[0] → … → hidden[-1] → out_dim, an activation after every hidden layer.

    ``out_activation`` (e.g. "tanh") squashes the output; ``None`` leaves it linear. With explicit layers the
    forward and backward run through the whole network as one autograd node (``rlkit.nn.whole_mlp``); the
    layers stay ordinary ``Linear``/activation modules, so parameters and state-dict keys do not depend on it.
    """

    def __init__(self, in_dim: int, out_dim: int, hidden: Sequence[int] = (64, 64), activation: str = "relu",
                 out_activation: str | None = None, impl: str = "explicit") -> None:
        super().__init__()
        check_impl(impl)
        layers: list[nn.Module] = []
        width = in_dim
        for h in hidden:
            layers += [Linear(width, h, impl=impl), make_activation(activation, impl)]
            width = h
        layers.append(Linear(width, out_dim, impl=impl))
        if out_activation is not None:
            layers.append(make_activation(out_activation, impl))
        self.net = Sequential(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim
        self.activation, self.out_activation, self.impl = activation, out_activation, impl
        self.linears = [layer for layer in layers if isinstance(layer, Linear)]  # net's own modules, unregistered

    def forward(self, x: Tensor) -> Tensor:
        if self.impl == "native":
            return self.net(x)
        params = [p for layer in self.linears for p in layer._parameters.values()]  # (W, b): 7× quicker than .weight
        return whole_mlp(x, params, self.activation, self.out_activation)


def conv_output_size(size: tuple[int, int], kernel: int, stride: int, padding: int = 0) -> tuple[int, int]:
    """Spatial size after one convolution: ⌊(s + 2p − k) / stride⌋ + 1 per dimension."""
    return tuple((s + 2 * padding - kernel) // stride + 1 for s in size)  # type: ignore[return-value]


class CNN(nn.Module):
    """Image encoder: conv → ReLU … → flatten → Linear → ReLU, giving a feature vector of ``out_dim``.

    ``obs_shape`` is (C, H, W); inputs are NCHW batches (any number of leading dims, or none), float or uint8.
    ``input_scale`` multiplies the input first, e.g. 1/255 for uint8 Atari frames.
    """

    def __init__(self, kind: str, obs_shape: Sequence[int], impl: str = "explicit",
                 input_scale: float = 1.0) -> None:
        super().__init__()
        if kind not in CNN_SPECS:
            raise ValueError(f"CNN kind={kind!r} is not one of {sorted(CNN_SPECS)}")
        obs_shape = tuple(int(s) for s in obs_shape)
        if len(obs_shape) != 3:
            raise ValueError(f"CNN obs_shape {obs_shape} must be (C, H, W)")
        check_impl(impl)
        convs, feature_dim = CNN_SPECS[kind]
        channels, size = obs_shape[0], (obs_shape[1], obs_shape[2])
        layers: list[nn.Module] = []
        for out_channels, kernel, stride in convs:
            if min(size) < kernel:
                raise ValueError(f"CNN {kind!r}: obs_shape {obs_shape} is too small, a {kernel}×{kernel} "
                                 f"kernel meets a {size[0]}×{size[1]} feature map")
            layers += [Conv2d(channels, out_channels, kernel, stride, impl=impl), ReLU(impl)]
            channels, size = out_channels, conv_output_size(size, kernel, stride)
        self.convs = Sequential(*layers)  # each conv and its ReLU as one node
        self.fc = Sequential(Linear(channels * size[0] * size[1], feature_dim, impl=impl), ReLU(impl))
        self.kind, self.obs_shape, self.input_scale = kind, obs_shape, input_scale
        self.out_dim = feature_dim

    def forward(self, x: Tensor) -> Tensor:
        lead = x.shape[:-3]  # any leading dims, like the MLPs: (C, H, W), (N, C, H, W), (T, N, C, H, W)
        if len(lead) != 1:
            return self.forward(x.reshape(-1, *x.shape[-3:])).reshape(*lead, self.out_dim)
        if not x.is_floating_point():
            x = x.to(self.fc[0].weight.dtype)
        if self.input_scale != 1.0:
            x = x * self.input_scale
        return self.fc(torch.flatten(self.convs(x), 1))


class Flatten(nn.Module):
    """Encoder for vector (or any non-image) observations: (N, *obs_shape) → (N, prod(obs_shape))."""

    def __init__(self, obs_shape: Sequence[int]) -> None:
        super().__init__()
        self.obs_shape = tuple(int(s) for s in obs_shape)
        self.out_dim = math.prod(self.obs_shape)

    def forward(self, x: Tensor) -> Tensor:
        if not x.is_floating_point():  # uint8/bool observations
            x = x.float()
        return x.reshape(*x.shape[: x.dim() - len(self.obs_shape)], self.out_dim)


ENCODERS = ("auto", "flat", *sorted(CNN_SPECS))
MINATAR_MAX_SIZE = 16  # images up to 16×16 (MinAtar's 10×10 grids) get the small CNN; larger ones the nature CNN


def choose_encoder(obs_shape: Sequence[int]) -> str:
    """What ``kind="auto"`` means: ``"flat"`` for vectors, ``"minatar"`` for (C, H, W) images of at most
    16×16, ``"nature"`` for larger ones (84×84 Atari frames). Other ranks have no automatic choice."""
    if len(obs_shape) == 1:
        return "flat"
    if len(obs_shape) == 3:
        return "minatar" if max(obs_shape[1:]) <= MINATAR_MAX_SIZE else "nature"
    raise ValueError(f"observations of shape {tuple(obs_shape)} have no automatic encoder: they are neither "
                     "vectors nor (C, H, W) images; choose one explicitly (flat flattens anything)")


def make_encoder(kind: str, obs_shape: Sequence[int], impl: str = "explicit", **kwargs) -> nn.Module:
    """Encoder with an ``out_dim`` attribute: ``"nature"``/``"minatar"`` CNNs, ``"flat"`` for vectors, or
    ``"auto"`` (``choose_encoder``). ``kwargs`` (e.g. ``input_scale``) go to the CNN."""
    if kind == "auto":
        kind = choose_encoder(obs_shape)
    if kind == "flat":
        return Flatten(obs_shape)
    if kind in CNN_SPECS:
        return CNN(kind, obs_shape, impl=impl, **kwargs)
    raise ValueError(f"encoder kind={kind!r} is not one of {list(ENCODERS)}")


class EncoderHead(nn.Module):
    """``encoder`` then an MLP head from ``encoder.out_dim`` to ``out_dim`` (e.g. one Q-value per action)."""

    def __init__(self, encoder: nn.Module, out_dim: int, hidden: Sequence[int] = (), activation: str = "relu",
                 out_activation: str | None = None, impl: str = "explicit") -> None:
        super().__init__()
        self.encoder = encoder
        self.head = MLP(encoder.out_dim, out_dim, hidden, activation, out_activation, impl)
        self.out_dim = out_dim

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(x))
