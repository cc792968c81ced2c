"""Weights & Biases: the resolved config as run config, metrics against ``env_step``, the curve at the end.

Selected with ``logger=wandb``; this module (and wandb) is imported only then. With ``mode: auto`` a run goes
online only when a login is present (``WANDB_API_KEY``, an identity token file or a netrc entry for the W&B
host); otherwise it is written offline under ``<dir>/wandb/offline-run-*`` for a later ``wandb sync``, so
training never waits on the network or a login prompt.
"""

from __future__ import annotations

import netrc
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import wandb

from rlkit.config import slug
from rlkit.errors import ConfigError
from rlkit.loggers.base import Logger
from rlkit.registry import one_line

MODES = ("online", "offline", "disabled")
STEP_METRIC = "env_step"
ID_FILE = "wandb_run_id.txt"


def netrc_path() -> Path:
    """Where wandb looks for a netrc file: ``$NETRC``, else ``~/.netrc`` (``~/_netrc`` if only it exists)."""
    if os.environ.get("NETRC"):
        return Path(os.environ["NETRC"]).expanduser()
    unix, windows = Path("~/.netrc").expanduser(), Path("~/_netrc").expanduser()
    return windows if windows.exists() and not unix.exists() else unix


def has_login() -> bool:
    """True when wandb would find credentials without asking: an API key, identity token or netrc entry."""
    if os.environ.get("WANDB_API_KEY") or os.environ.get("WANDB_IDENTITY_TOKEN_FILE"):
        return True
    host = urlsplit(os.environ.get("WANDB_BASE_URL") or "https://api.wandb.ai").hostname
    try:
        entry = netrc.netrc(str(netrc_path())).authenticators(host or "")
    except (OSError, netrc.NetrcParseError):
        return False
    return bool(entry and entry[2])


def resolve_mode(mode: str) -> str:
    """``auto`` → ``$WANDB_MODE`` if set, else online with a login and offline without one."""
    if mode == "auto":
        mode = os.environ.get("WANDB_MODE") or ("online" if has_login() else "offline")
        if mode == "dryrun":  # wandb's old name for offline
            mode = "offline"
    if mode not in MODES:
        raise ConfigError(f"logger.wandb.mode={mode!r} must be one of auto, {', '.join(MODES)}")
    if mode == "online" and not has_login():
        raise ConfigError("logger.wandb.mode=online but no W&B login was found (set WANDB_API_KEY or run "
                          "`wandb login`); use mode=offline and `wandb sync` later")
    return mode


def run_name(run_info: dict[str, Any]) -> str:
    """``<agent>-<env>-s<seed>``, the same words as the run dir."""
    return f"{run_info.get('agent')}-{slug(str(run_info.get('env')))}-s{run_info.get('seed')}"


class WandbLogger(Logger):
    """One wandb run per training run; every metric is plotted against ``env_step`` (``define_metric``)."""

    def __init__(self, run_dir: Path, config: dict[str, Any], run_info: dict[str, Any], *,
                 mode: str = "auto", project: str = "rlkit", entity: str | None = None,
                 group: str | None = None, tags: list[str] | tuple[str, ...] = (), name: str | None = None,
                 dir: str | None = None, resume_step: int | None = None) -> None:
        mode = resolve_mode(str(mode))
        if mode != "online":  # nothing of an offline run (crash reports included) may reach the network
            os.environ.setdefault("WANDB_ERROR_REPORTING", "false")
        if dir is None and not os.environ.get("WANDB_DIR"):
            dir = str(run_dir)
        # The run's id lives in the run dir, so a resumed training run continues the same wandb run.
        id_file = Path(run_dir) / ID_FILE
        run_id = id_file.read_text().strip() if resume_step is not None and id_file.exists() else None
        try:
            self.run = wandb.init(
                project=project, entity=entity, group=group or run_info.get("sweep"), tags=list(tags),
                name=name or run_name(run_info), config=config, dir=dir, mode=mode,
                id=run_id, resume="allow" if run_id else None, settings=wandb.Settings(console="off"))
        except Exception as exc:  # noqa: BLE001 - wandb's own errors (bad entity, no network, ...) → one line
            raise ConfigError(f"wandb.init failed ({mode} mode): {one_line(exc)}") from exc
        id_file.write_text(self.run.id + "\n")
        self.run.define_metric(STEP_METRIC)
        self.run.define_metric("*", step_metric=STEP_METRIC)
        self.closed = False

    def log(self, metrics: dict[str, float], step: int) -> None:
        self.run.log({**metrics, STEP_METRIC: step})

    def log_image(self, key: str, path: Path, step: int) -> None:
        self.run.log({key: wandb.Image(str(path)), STEP_METRIC: step})

    def log_video(self, key: str, path: Path, step: int) -> None:
        self.run.log({key: wandb.Video(str(path), format="mp4"), STEP_METRIC: step})

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.run.finish()
