"""``rlkit.train``: the CLI's path, called from Python, with the very config the CLI would compose."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Run:
    """A finished training run: its run dir, its ``summary.json`` and its resolved config."""

    dir: Path
    summary: dict[str, Any]
    config: dict[str, Any]


def compose(agent: str, env: str, overrides: Sequence[str] = ()) -> tuple[dict[str, Any], dict[str, Any]]:
    """(run config, hydra config) exactly as ``python -m rlkit agent=... env=... <overrides>`` composes them:
    conf/, the agents_zoo preset for the pair, then the overrides."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_module
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf, open_dict

    from rlkit.config import register_resolvers, to_plain

    register_resolvers()
    with initialize_config_module(config_module="rlkit.conf", version_base=None):
        cfg = hydra_compose("config", overrides=[f"agent={agent}", f"env={env}", *overrides],
                            return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)  # as @hydra.main does: the config reads hydra:runtime.choices
        hydra_cfg = OmegaConf.to_container(cfg.hydra, resolve=False)  # sweep keys stay unresolved in a single run
        hydra_cfg["run"]["dir"] = str(cfg.hydra.run.dir)
        with open_dict(cfg):
            cfg.pop("hydra")
        return to_plain(cfg), hydra_cfg  # type: ignore[return-value]


def train(agent: str = "ddpg", env: str = "Pendulum-v1", overrides: Sequence[str] = (),
          run_dir: str | Path | None = None) -> Run:
    """Train ``agent`` on ``env`` as the CLI would (presets included); ``run_dir`` defaults to the CLI's pattern.

    Bad input raises ``rlkit.errors.ConfigError`` with the CLI's one-line message.
    """
    from rlkit.run import train as train_run

    config, hydra_cfg = compose(agent, env, overrides)
    directory = Path(run_dir if run_dir is not None else hydra_cfg["run"]["dir"])
    directory.mkdir(parents=True, exist_ok=True)
    summary = train_run(config, directory, {"hydra.yaml": {"hydra": hydra_cfg},
                                            "overrides.yaml": [f"agent={agent}", f"env={env}", *overrides]})
    return Run(directory, summary, config)
