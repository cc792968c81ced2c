"""Networks assembled from rlkit layers: the MLP used by every agent on vector observations."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from rlkit.nn.layers import Linear

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh}


def make_activation(name: str) -> nn.Module:
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r} is not one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


class MLP(nn.Module):
    """in_dim → hidden[0] → … → hidden[-1] → out_dim, an activation after every hidden layer.

    ``out_activation`` (e.g. "tanh") squashes the output; ``None`` leaves it linear.
    """

    def __init__(self, in_dim: int, out_dim: int, hidden: Sequence[int] = (64, 64), activation: str = "relu",
                 out_activation: str | None = None, impl: str = "explicit") -> None:
        super().__init__()
        layers: list[nn.Module] = []
        width = in_dim
        for h in hidden:
            layers += [Linear(width, h, impl=impl), make_activation(activation)]
            width = h
        layers.append(Linear(width, out_dim, impl=impl))
        if out_activation is not None:
            layers.append(make_activation(out_activation))
        self.net = nn.Sequential(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)
