"""rlkit's backbone library: layers with hand-written backward passes and the networks built from them."""

from rlkit.nn.backbones import MLP
from rlkit.nn.layers import Linear

__all__ = ["Linear", "MLP"]
