"""Networks from the observation space: an encoder chosen by the observations' shape, then the agent's head.

Vector observations keep the plain MLP (no encoder module in front, exactly the network and speed they had
before images were supported). Images get a CNN from rlkit.nn (``network.encoder``: ``auto`` picks ``minatar``
for grids up to 16×16 and ``nature`` for 84×84 frames) followed by an MLP head with ``network.hidden`` layers.
Agents call ``q_or_policy_network`` for a network with one output vector and ``observation_encoder`` where
they combine encoded observations with something else (a critic over [features, action]).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from torch import nn

from rlkit.errors import ConfigError
from rlkit.nn import ENCODERS, MLP, EncoderHead, make_encoder
from rlkit.nn.backbones import choose_encoder

DEFAULTS = {"hidden": (64, 64), "activation": "relu", "impl": "explicit", "encoder": "auto"}


def network_options(network: dict[str, Any] | None) -> dict[str, Any]:
    """The ``network`` config group with its defaults filled in; unknown encoders are refused here."""
    net = {**DEFAULTS, **(network or {})}
    if net["encoder"] not in ENCODERS:
        raise ConfigError(f"network.encoder={net['encoder']!r} is not one of {', '.join(ENCODERS)}")
    return net


def input_scale(space: gym.spaces.Box) -> float:
    """1/255 for 0-255 uint8 frames, so a CNN sees inputs in [0, 1]; 1 for anything else (bool grids too)."""
    if space.dtype == np.uint8 and float(np.max(space.high)) > 1:
        return 1.0 / float(np.max(space.high))
    return 1.0


def check_observations(agent: str, observation_space: gym.Space) -> None:
    """Box observations of any shape; what a shape needs from the network is checked when it is built."""
    if not isinstance(observation_space, gym.spaces.Box):
        raise ConfigError(f"{agent} needs Box observations (vectors or images), not {observation_space}")


def observation_encoder(observation_space: gym.spaces.Box, net: dict[str, Any]) -> nn.Module | None:
    """The encoder for these observations, or ``None`` for vectors under ``encoder=auto|flat`` (they go
    straight into the MLP). Raises ``ConfigError`` (one line) when the chosen encoder cannot take them."""
    shape = tuple(int(s) for s in observation_space.shape)
    kind = net["encoder"]
    try:
        if kind == "auto":
            kind = choose_encoder(shape)
        if kind == "flat" and len(shape) == 1 and observation_space.dtype != np.uint8 \
                and observation_space.dtype != np.bool_:
            return None
        if kind != "flat" and len(shape) != 3:
            raise ValueError(f"the {kind} CNN needs (C, H, W) image observations")
        return make_encoder(kind, shape, impl=net["impl"],
                            **({} if kind == "flat" else {"input_scale": input_scale(observation_space)}))
    except ValueError as exc:
        raise ConfigError(f"network.encoder={net['encoder']} cannot take observations of shape {shape} "
                          f"({observation_space.dtype}): {exc}") from exc


def q_or_policy_network(observation_space: gym.spaces.Box, out_dim: int, net: dict[str, Any],
                        out_activation: str | None = None) -> nn.Module:
    """Observations → ``out_dim`` outputs: the MLP alone for vectors, else encoder + MLP head."""
    encoder = observation_encoder(observation_space, net)
    if encoder is None:
        return MLP(int(observation_space.shape[0]), out_dim, net["hidden"], net["activation"], out_activation,
                   impl=net["impl"])
    return EncoderHead(encoder, out_dim, net["hidden"], net["activation"], out_activation, impl=net["impl"])


def feature_dim(observation_space: gym.spaces.Box, encoder: nn.Module | None) -> int:
    return int(observation_space.shape[0]) if encoder is None else int(encoder.out_dim)
