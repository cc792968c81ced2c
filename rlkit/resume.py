"""``resume=true|auto|<run dir>``: find the interrupted run's checkpoint and check that this command continues it.

``resume=auto`` is for commands run again as they were, a sweep above all: each run continues from its run dir's
checkpoint when there is one, starts fresh when there is none, and is skipped when it already finished.

A resumed run must be the run that was interrupted, so the keys that shape it (agent, env, network, seed,
num_envs) must match the checkpoint's; total_steps may be raised to extend a run, and the logging, evaluation,
checkpoint, device and thread settings may change.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import torch

from rlkit.agents.base import AGENTS
from rlkit.checkpoint import load_checkpoint
from rlkit.config import AUTO
from rlkit.errors import ConfigError
from rlkit.schema import format_value

FIXED = ("agent", "env", "network", "seed", "num_envs")
UNSET = "<unset>"


def flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(tree, dict):
        return {prefix.rstrip("."): tree}
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat.update(flatten(value, f"{prefix}{key}."))
    return flat


def option_defaults(agent_name: str) -> dict[str, Any]:
    """``agent.<option>`` → its constructor default: what a run saved before the option existed ran with."""
    parameters = inspect.signature(AGENTS.get(agent_name)).parameters
    return {f"agent.{name}": p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}


def differing_keys(saved: dict[str, Any], now: dict[str, Any], defaults: dict[str, Any] | None = None) -> list[str]:
    """Keys under ``FIXED`` whose values differ between the checkpoint's config and this one (sorted).

    A key the checkpoint lacks (an option added to rlkit after it was written) differs only if this run sets it
    to something other than its default (``defaults``, flattened keys).
    """
    old = flatten({k: saved.get(k) for k in FIXED})
    new = flatten({k: now.get(k) for k in FIXED})
    defaults = defaults or {}
    return sorted(key for key in old.keys() | new.keys()
                  if old.get(key, UNSET) != new.get(key, UNSET)
                  and not (key not in old and key in defaults and new.get(key) == defaults[key]))


def check_resume_target(resume: Any, run_dir: Path | None) -> None:
    """``resume=<run dir>`` (or ``resume=true`` in ``run_dir``) must find a checkpoint there; else one line.

    Called on the raw command line too, before Hydra creates a run dir for a mistyped path.
    """
    if resume is False or resume == AUTO:
        return
    target = Path(resume) if isinstance(resume, str) else run_dir
    last = None if target is None else target / "checkpoints" / "last.pt"
    try:
        found = last is None or last.is_file()
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
        reason = (getattr(exc, "strerror", None) or str(exc)).lower()
        raise ConfigError(f"resume={format_value(resume)}: not a usable path ({reason}); resume=true, auto or the "
                          "path of a run dir to continue") from None
    if not found:
        raise ConfigError(f"resume={format_value(resume)}: no checkpoint at {last}; resume=true needs "
                          "hydra.run.dir=<a run dir with checkpoints/last.pt>, or give resume=<run dir>")


def check_command_line(argv: list[str]) -> None:
    """``resume=<run dir>`` on the raw command line, checked before Hydra creates a mistyped path as a run dir."""
    for key, _, value in (arg.partition("=") for arg in argv):
        if key == "resume" and value.lower() not in ("true", "false", "", AUTO):
            check_resume_target(value, None)


def finished_summary(run_dir: Path, total_steps: int) -> dict[str, Any] | None:
    """The summary of a run that already reached ``total_steps`` (``resume=auto`` does not run it again)."""
    path = run_dir / "summary.json"
    if not path.is_file():
        return None
    summary = json.loads(path.read_text())
    return summary if summary.get("env_steps", -1) >= total_steps else None


def load_resume_state(cfg: dict[str, Any], run_dir: Path, device: torch.device) -> dict[str, Any] | None:
    """The checkpoint a resumed run continues from, loaded onto ``device``; None when ``resume=false``."""
    resume = cfg["resume"]
    last = run_dir / "checkpoints" / "last.pt"
    if resume is False or (resume == AUTO and not last.is_file()):
        return None
    check_resume_target(resume, run_dir)
    shown = format_value(resume)
    if isinstance(resume, str) and resume != AUTO and Path(resume).resolve() != run_dir.resolve():
        raise ConfigError(f"resume={shown}: it names another run dir than hydra.run.dir={run_dir}; "
                          "give resume=<run dir> alone")
    try:
        state = load_checkpoint(last, map_location=device)
    except ConfigError as exc:  # empty, truncated, garbage or another library's file: what it is, one line
        raise ConfigError(f"resume={shown}: {exc}") from None
    saved = state.get("config")
    if saved is not None:
        differ = differing_keys(saved, cfg, option_defaults(cfg["agent"]["name"]))
        if differ:
            old, new = flatten(saved), flatten(cfg)
            first = differ[0]
            more = f" (also {', '.join(differ[1:])})" if len(differ) > 1 else ""
            raise ConfigError(
                f"{first}={format_value(new.get(first))}: the run being resumed has "
                f"{format_value(old.get(first))}{more}; a resumed run keeps its {', '.join(FIXED)} "
                "(total_steps may be raised)")
    step = int(state["progress"]["env_steps"])
    if cfg["total_steps"] < step:
        raise ConfigError(f"total_steps={cfg['total_steps']}: the run being resumed is at env step {step}; "
                          "give at least that")
    return state
