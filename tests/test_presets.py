"""Named preset variants (preset=NAME, preset=none) and family presets (agents_zoo/<agent>/<ns>/_family.yaml):
which file applies, what .hydra/config.yaml records, the run's first console line (rlkit/presets.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlkit import presets
from rlkit.api import compose


@pytest.fixture
def zoo(tmp_path: Path) -> Path:
    for name in ("a/Cart-v1.yaml", "a/Cart-v1/q.yaml", "a/Cart-v1/slow.yaml", "a/NS/Own-v1.yaml",
                 "a/NS/_family.yaml", "a/NS/_family/big.yaml", "a/search/Cart-v1.yaml", "b/NS/Own-v1.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# @package _global_\n")
    return tmp_path


def test_the_most_specific_file_applies_per_id_over_family(zoo):
    assert presets.option("a", "Cart-v1", "default", zoo) == "a/Cart-v1"
    assert presets.option("a", "Cart-v1", "q", zoo) == "a/Cart-v1/q"
    assert presets.option("a", "Cart-v1", "none", zoo) is None
    assert presets.option("a", "Cart-v1", "zz", zoo) is None
    assert presets.option("a", "NS/Own-v1", "default", zoo) == "a/NS/Own-v1"  # its own file wins, whole
    assert presets.option("a", "NS/Own-v1", "big", zoo) is None               # ... with its own variants only
    assert presets.option("a", "NS/Other-v1", "default", zoo) == "a/NS/_family"
    assert presets.option("a", "NS/Other-v1", "big", zoo) == "a/NS/_family/big"
    assert presets.option("b", "NS/Other-v1", "default", zoo) is None         # families are per agent
    assert presets.option("a", "Pole-v1", "default", zoo) is None
    assert presets.variants("a", "Cart-v1", zoo) == ["q", "slow"]
    assert presets.variants("a", "NS/Other-v1", zoo) == ["big"]
    assert presets.all_presets(zoo) == [
        ("a", "Cart-v1", "default"), ("a", "Cart-v1", "q"), ("a", "Cart-v1", "slow"), ("a", "NS/*", "big"),
        ("a", "NS/*", "default"), ("a", "NS/Own-v1", "default"), ("b", "NS/Own-v1", "default")]


def test_describe_says_which_preset_and_variant():
    assert presets.describe("default", "agents_zoo/ac/CartPole-v1.yaml") == "preset agents_zoo/ac/CartPole-v1.yaml"
    assert presets.describe("q", "agents_zoo/ac/CartPole-v1/q.yaml") == \
        "preset agents_zoo/ac/CartPole-v1/q.yaml (variant q)"
    assert presets.describe("default", "agents_zoo/dqn/MinAtar/_family.yaml").startswith("family preset ")
    assert presets.describe("none", None) == "no preset (preset=none)"
    assert presets.describe("default", None) == "no preset"


@pytest.mark.parametrize(("agent", "env", "overrides", "expected", "check"), [
    ("ac", "CartPole-v1", [], "agents_zoo/ac/CartPole-v1.yaml", ("total_steps", 100000)),
    ("ac", "CartPole-v1", ["preset=q"], "agents_zoo/ac/CartPole-v1/q.yaml", ("advantage", "q")),
    ("ac", "CartPole-v1", ["preset=none"], None, ("total_steps", 20000)),
    ("dqn", "MinAtar/SpaceInvaders-v1", [], "agents_zoo/dqn/MinAtar/_family.yaml", ("lr", 0.00025)),
    ("dqn", "MinAtar/Breakout-v1", [], "agents_zoo/dqn/MinAtar/Breakout-v1.yaml", ("lr", 0.00025)),
    ("dqn", "MinAtar/SpaceInvaders-v1", ["preset=none"], None, ("total_steps", 20000)),
    ("ac", "Acrobot-v1", ["preset=zz"], None, ("total_steps", 20000)),  # refused by train(): test_bad_input
])
def test_compose_applies_and_records_the_preset(agent, env, overrides, expected, check):
    cfg, _ = compose(agent, env, overrides)
    assert cfg["preset_file"] == expected
    assert cfg["preset"] == (overrides[0].split("=")[1] if overrides else "default")
    key, value = check
    assert (cfg["agent"] if key not in cfg else cfg)[key] == value


def test_a_variant_run_says_so_first_and_records_it(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlkit", "agent=ac", "env=CartPole-v1", "preset=q",
                           "total_steps=64", "eval.episodes=1", f"hydra.run.dir={tmp_path / 'run'}"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    first = proc.stderr.splitlines()[0]
    assert first == "rlkit: ac on CartPole-v1, preset agents_zoo/ac/CartPole-v1/q.yaml (variant q)"
    saved = (tmp_path / "run" / ".hydra" / "config.yaml").read_text()
    assert "preset: q\n" in saved and "preset_file: agents_zoo/ac/CartPole-v1/q.yaml\n" in saved
