"""rlkit's backbone library: layers with hand-written backward passes and the networks built from them."""

from rlkit.nn.backbones import (
    CNN,
    ENCODERS,
    MLP,
    EncoderHead,
    Flatten,
    choose_encoder,
    make_activation,
    make_encoder,
)
from rlkit.nn.layers import Conv2d, Linear, ReLU, Sequential, Tanh, check_impl

__all__ = [
    "CNN", "ENCODERS", "MLP", "Conv2d", "EncoderHead", "Flatten", "Linear", "ReLU", "Sequential", "Tanh",
    "check_impl", "choose_encoder", "make_activation", "make_encoder",
]
