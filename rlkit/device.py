"""``device=auto|cpu|cuda`` from the config, turned into a ``torch.device``."""

from __future__ import annotations

import torch

from rlkit.errors import ConfigError


def pick_device(name: str) -> torch.device:
    """``auto`` → CUDA when present, else CPU; an explicit ``cuda`` without a GPU is an error."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda") and not name.startswith("cuda:"):
        raise ConfigError(f"device={name}: one of auto, cpu, cuda, cuda:N")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device={name}: no CUDA GPU is available here; use device=cpu or auto")
    return torch.device(name)
