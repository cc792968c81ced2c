"""Loggers behind one interface; console and CSV always run, others are chosen in the ``logger`` config group.

Each file in conf/logger/ adds its own sub-key ``logger.<name>`` (``enabled: true`` plus its settings), so
``logger=wandb``, ``logger=tensorboard`` and ``'logger=[wandb,tensorboard]'`` all compose. A backend's module
is imported only when it is enabled, so wandb and tensorboard cost nothing when unused.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

from rlkit.errors import ConfigError
from rlkit.loggers.base import Logger, LoggerGroup
from rlkit.loggers.console import ConsoleLogger
from rlkit.loggers.csv import CSVLogger
from rlkit.registry import one_line

# name in the config → (module, class); each class takes (run_dir, config, run_info, **settings)
BACKENDS: dict[str, tuple[str, str]] = {
    "wandb": ("rlkit.loggers.wandb", "WandbLogger"),
    "tensorboard": ("rlkit.loggers.tensorboard", "TensorBoardLogger"),
}


def hydra_sweep_name() -> str | None:
    """The multirun sweep's dir name when this process is one job of a Hydra ``-m`` sweep, else None."""
    try:
        from hydra.core.hydra_config import HydraConfig
        from hydra.types import RunMode

        if not HydraConfig.initialized():
            return None
        hydra_cfg = HydraConfig.get()
        if hydra_cfg.mode != RunMode.MULTIRUN:
            return None
        return Path(str(hydra_cfg.sweep.dir)).name
    except Exception:  # noqa: BLE001 - no Hydra context (a plain Python call of train) means no sweep
        return None


def make_backend(name: str, settings: dict[str, Any], run_dir: Path, config: dict[str, Any],
                 run_info: dict[str, Any], resume_step: int | None = None) -> Logger:
    """Build the backend ``name`` with its ``logger.<name>`` settings (minus ``enabled``)."""
    if name not in BACKENDS:
        raise ConfigError(f"unknown logger {name!r}; known: {', '.join(sorted(BACKENDS))}")
    module_name, class_name = BACKENDS[name]
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except ImportError as exc:
        raise ConfigError(f"logger {name!r} needs a package that is missing ({one_line(exc)}); "
                          "install them with pip install 'rlkit[tracking]'") from exc
    accepted = inspect.signature(cls).parameters
    unknown = sorted(set(settings) - set(accepted) - {"resume_step"})
    if unknown:
        known = sorted(set(accepted) - {"run_dir", "config", "run_info", "resume_step"})
        raise ConfigError(f"logger {name!r} has no setting {', '.join(unknown)}; "
                          f"settings: {', '.join(known)}")
    return cls(run_dir, config, run_info, resume_step=resume_step, **settings)


def make_loggers(run_dir: Path, total_steps: int, config: dict[str, Any] | None = None,
                 run_info: dict[str, Any] | None = None, resume_step: int | None = None) -> LoggerGroup:
    """Console + CSV, plus every backend enabled under ``config["logger"]``.

    ``resume_step``: the env step of the checkpoint a resumed run continues from; every logger keeps what the
    interrupted run logged up to it and continues from there (the same CSV file, TensorBoard dir, wandb run).
    ``config`` is the resolved run config (wandb stores it as the run config, TensorBoard as text);
    ``run_info`` names the run: ``agent``, ``env``, ``seed`` and, for a Hydra multirun job, ``sweep``.
    """
    config = dict(config or {})
    run_info = dict(run_info or {})
    run_info.setdefault("sweep", hydra_sweep_name())
    backends: list[Logger] = []  # built first, so the console's clock starts after e.g. wandb's start-up
    try:
        for name, settings in (config.get("logger") or {}).items():
            if not isinstance(settings, dict):
                raise ConfigError(f"logger.{name} must be a mapping of settings, got {settings!r}")
            settings = dict(settings)
            if settings.pop("enabled", True):
                backends.append(make_backend(name, settings, Path(run_dir), config, run_info, resume_step))
    except BaseException:
        LoggerGroup(backends).close()
        raise
    console = ConsoleLogger(total_steps, start_step=resume_step or 0)
    return LoggerGroup([console, CSVLogger(Path(run_dir) / "metrics.csv", resume_step), *backends])


__all__ = ["BACKENDS", "ConsoleLogger", "CSVLogger", "Logger", "LoggerGroup", "make_loggers"]
