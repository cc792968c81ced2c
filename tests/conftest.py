"""Shared fixtures: small, fast, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)  # small networks: one thread is fastest and keeps two test processes from fighting

REPO = Path(__file__).resolve().parent.parent


def composed(*overrides: str) -> dict:
    """The plain config ``python -m rlkit <overrides>`` would run, composed in-process (presets included)."""
    from hydra import compose, initialize_config_module
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import open_dict

    from rlkit.config import register_resolvers, to_plain

    register_resolvers()
    with initialize_config_module(config_module="rlkit.conf", version_base=None):
        cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)  # what @hydra.main does; the config reads hydra:runtime.choices
        with open_dict(cfg):
            cfg.pop("hydra")
        return to_plain(cfg)


def run_cli(*overrides: str, run_dir: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run ``python -m rlkit`` exactly as a user would, with the run dir pinned."""
    return subprocess.run(
        [sys.executable, "-m", "rlkit", *overrides, f"hydra.run.dir={run_dir}"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=run_dir.parent,
    )


@pytest.fixture
def cli(tmp_path):
    def call(*overrides: str, name: str = "run") -> subprocess.CompletedProcess:
        return run_cli(*overrides, run_dir=tmp_path / name)

    return call


def pytest_collection_modifyitems(config, items):
    """Unit tests first, learning tests (marked slow) last: a broken unit shows up before minutes of training.
    Tests marked ``cuda`` are skipped where no CUDA GPU is present."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)
    if not torch.cuda.is_available():
        skip = pytest.mark.skip(reason="CUDA is not available")
        for item in items:
            if item.get_closest_marker("cuda") is not None:
                item.add_marker(skip)
