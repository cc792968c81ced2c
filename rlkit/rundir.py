"""A finished (or running) run dir as the interface: its config, its checkpoints, its agent rebuilt.

``rlkit.evaluate``, ``rlkit.export`` and ``rlkit.load`` all come through here, and here through the same
``make_env`` / ``make_agent`` path as training, so an agent is rebuilt with the very env kwargs, network and
plugins it was trained with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from rlkit.agents import Agent, make_agent
from rlkit.checkpoint import load_checkpoint
from rlkit.envs.make import env_options, make_env
from rlkit.envs.vector import VectorEnv
from rlkit.errors import ConfigError
from rlkit.registry import one_line

WHICH = ("best", "last")


@dataclass
class Restored:
    """An agent rebuilt from a run: its config, the checkpoint it came from, and that checkpoint's contents."""

    agent: Agent
    config: dict[str, Any]
    checkpoint: Path
    state: dict[str, Any]


def locate(path: str | Path, which: str = "best") -> tuple[Path, Path]:
    """(run dir, checkpoint file) for a run dir plus ``which`` (best|last|a file), or for a checkpoint file."""
    path = Path(path)
    if path.is_file():
        return path.resolve().parent.parent, path
    if not path.is_dir():
        raise ConfigError(f"{path}: no such run dir or checkpoint file")
    if which in WHICH:
        checkpoint = path / "checkpoints" / f"{which}.pt"
        if not checkpoint.is_file():
            raise ConfigError(f"{path}: no checkpoint {checkpoint.relative_to(path)} in this run dir; "
                              "train it first or give --checkpoint last|PATH")
        return path, checkpoint
    checkpoint = Path(which)
    if not checkpoint.is_file():
        raise ConfigError(f"--checkpoint={which}: one of {', '.join(WHICH)} or an existing checkpoint file")
    return path, checkpoint


def run_config(run_dir: Path) -> dict[str, Any]:
    """The run's resolved config, as training wrote it to ``.hydra/config.yaml``."""
    path = run_dir / ".hydra" / "config.yaml"
    if not path.is_file():
        raise ConfigError(f"{run_dir}: not a run dir (no .hydra/config.yaml)")
    return OmegaConf.to_container(OmegaConf.load(path), resolve=True)  # type: ignore[return-value]


def make_run_env(config: dict[str, Any], num_envs: int, seed: int, device: torch.device | str = "cpu",
                 training: bool = False) -> VectorEnv:
    """The run's env as its evaluation saw it (``training=False``: e.g. whole games, unclipped rewards)."""
    return make_env(num_envs=num_envs, seed=seed, device=device, training=training, **env_options(config))


def restore(path: str | Path, which: str = "best", device: str | torch.device = "cpu") -> Restored:
    """Rebuild the agent a run trained and load ``which`` checkpoint into it."""
    run_dir, checkpoint = locate(path, which)
    device = torch.device(device)
    state = load_checkpoint(checkpoint, map_location=device, need=("agent",))  # else one line: what the file is
    saved = state.get("config") if isinstance(state, dict) else None
    if Path(path).is_dir():  # a run dir: its own config decides, and the checkpoint must be of its agent
        config = run_config(run_dir)
        if saved is not None and saved["agent"]["name"] != config["agent"]["name"]:
            raise ConfigError(f"{checkpoint}: a checkpoint of agent {saved['agent']['name']!r}, but {run_dir} "
                              f"trained {config['agent']['name']!r}")
    else:
        config = saved or run_config(run_dir)
    agent_options = dict(config["agent"])
    name = agent_options.pop("name")
    probe = make_run_env(config, num_envs=1, seed=0)
    try:
        agent = make_agent(name, probe.single_observation_space, probe.single_action_space, device,
                           network=config["network"], **agent_options)
    finally:
        probe.close()
    try:
        agent.load_state_dict(state["agent"])
    except Exception as exc:  # noqa: BLE001 - shapes or names that do not fit this agent
        raise ConfigError(f"{checkpoint}: does not fit agent {name!r} of this run ({one_line(exc)})") from exc
    return Restored(agent, config, checkpoint, state)
