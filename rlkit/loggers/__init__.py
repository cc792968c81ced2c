"""Loggers behind one interface; console and CSV always run, others are chosen in the ``logger`` config group."""

from __future__ import annotations

from pathlib import Path

from rlkit.errors import ConfigError
from rlkit.loggers.base import Logger, LoggerGroup
from rlkit.loggers.console import ConsoleLogger
from rlkit.loggers.csv import CSVLogger

BACKENDS: tuple[str, ...] = ()


def make_loggers(run_dir: Path, total_steps: int, backends: list[str] | tuple[str, ...] = ()) -> LoggerGroup:
    """Console + CSV, plus each named backend."""
    unknown = [name for name in backends if name not in BACKENDS]
    if unknown:
        raise ConfigError(f"unknown logger {', '.join(unknown)}; known: {', '.join(BACKENDS) or 'none'}")
    return LoggerGroup([ConsoleLogger(total_steps), CSVLogger(Path(run_dir) / "metrics.csv")])


__all__ = ["ConsoleLogger", "CSVLogger", "Logger", "LoggerGroup", "make_loggers"]
