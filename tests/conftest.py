"""Shared fixtures: small, fast, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

torch.set_num_threads(1)  # small networks: one thread is fastest and keeps two test processes from fighting

REPO = Path(__file__).resolve().parent.parent


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
    """Unit tests first, learning tests (marked slow) last: a broken unit shows up before minutes of training."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is not None)
