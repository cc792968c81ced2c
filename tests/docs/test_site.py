"""The site builds: ``mkdocs build --strict -f docs/mkdocs.yml`` (any warning fails), with the generated pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="mkdocs is not installed: pip install -e '.[docs]' (part of .[dev])")
    pytest.importorskip("material", reason="mkdocs-material is not installed: pip install -e '.[docs]'")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed: pip install -e '.[docs]'")
    site = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "docs" / "mkdocs.yml"),
                           "-d", str(site)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr
    for page in ("index.html", "config-reference/index.html", "agents/dqn/index.html", "api/index.html",
                 "source/rlkit/nn/conv.py/index.html"):
        assert (site / page).is_file(), page
    agent_page = (site / "agents" / "dqn" / "index.html").read_text()
    assert "arithmatex" in agent_page and "agent.target_update_interval" in agent_page  # math and the options
    assert (site / "images" / "dqn-CartPole-v1.png").is_file()
