"""conf/ and agents_zoo/ ship inside the wheel: an installed rlkit, run from another folder, finds both."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

COMPOSE = """
import rlkit, rlkit.config
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
rlkit.config.register_resolvers()
with initialize_config_module(config_module="rlkit.conf", version_base=None):
    cfg = compose("config", return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)
    print(rlkit.__file__, cfg.agent.name, cfg.env.id, cfg.total_steps, cfg.agent.train_freq)
"""


def test_built_wheel_carries_config_and_presets(tmp_path):
    """The wheel goes into a folder of its own, put first on PYTHONPATH; its dependencies come from the running
    environment, which works alike in a virtual environment and in a system interpreter."""
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(REPO)], check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("rlkit-*.whl"))
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", COMPOSE], cwd=elsewhere, capture_output=True, text=True,
                         check=True, env=env)
    module, agent, env_id, total_steps, train_freq = out.stdout.split()
    assert module.startswith(str(target))  # the wheel's copy, not the repo's
    assert (agent, env_id) == ("ddpg", "Pendulum-v1")
    assert (total_steps, train_freq) == ("20000", "2")  # train_freq 2: the Pendulum preset was found and applied
