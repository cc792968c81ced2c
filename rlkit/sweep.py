"""What one job of a sweep needs to know about the sweep: its share of the cores and what to return to a sweeper.

``threads: auto`` gives each job ``max(1, cores // parallel jobs)`` torch threads, where the parallel jobs are
what the launcher runs side by side: 1 for Hydra's basic launcher (and a single run), ``hydra.launcher.n_jobs``
for joblib (``-1``: one per core, joblib's rule for negative values), and for Ray the CPUs each task reserves
(``hydra.launcher.ray.remote.num_cpus``, Ray's default 1), since Ray packs as many tasks on a node as it has
CPUs. An explicit thread count that oversubscribes the cores gets a one-line warning: two torch threads per job
on a busy 2-core box ran ~100× slower than one.

``objective`` (``none|final|auc``) says what the task function returns: the summary dict for launchers, or one
float for a sweeper that optimises (Optuna): the final evaluation return, or the area under the evaluation curve
divided by its length in env steps (the mean return over training, which rewards learning fast).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

OBJECTIVES = ("none", "final", "auc")


def cpu_count() -> int:
    """Cores this process may run on (its affinity mask, e.g. a container's or taskset's share)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def launcher_config() -> dict[str, Any] | None:
    """``hydra.launcher`` of the running Hydra job, None outside Hydra (a plain ``rlkit.train`` call)."""
    try:
        from hydra.core.hydra_config import HydraConfig
        from omegaconf import OmegaConf

        if not HydraConfig.initialized():
            return None
        launcher = HydraConfig.get().launcher
        return OmegaConf.to_container(launcher, resolve=True) if launcher is not None else None  # type: ignore
    except Exception:  # noqa: BLE001 - no usable Hydra context: treat as a single run
        return None


def parallel_jobs(launcher: dict[str, Any] | None, cores: int) -> tuple[int, int]:
    """(jobs run side by side, cores each job may use) under ``launcher``."""
    target = str((launcher or {}).get("_target_", ""))
    if "Joblib" in target:
        n_jobs = int(launcher.get("n_jobs") or 1)  # type: ignore[union-attr]
        jobs = n_jobs if n_jobs > 0 else max(cores + 1 + n_jobs, 1)  # joblib: -1 = all cores, -2 = all but one
        return jobs, max(1, cores // jobs)
    if "Ray" in target:
        remote = ((launcher or {}).get("ray") or {}).get("remote") or {}
        per_task = remote.get("num_cpus") or 1
        per_task = max(1, int(per_task))
        return max(1, cores // per_task), per_task
    return 1, cores


def resolve_threads(threads: int | str, launcher: dict[str, Any] | None | str = "hydra",
                    cores: int | None = None, warn: bool = True) -> int:
    """The torch thread count for this job: ``threads`` itself, or its share of the cores for ``auto``.

    ``launcher`` defaults to the running Hydra job's ``hydra.launcher``.
    """
    cores = cpu_count() if cores is None else cores
    if launcher == "hydra":
        launcher = launcher_config()
    jobs, share = parallel_jobs(launcher, cores)  # type: ignore[arg-type]
    if threads == "auto":
        return share
    threads = int(threads)
    if warn and jobs > 1 and threads * jobs > cores:
        print(f"rlkit: warning: threads={threads} × {jobs} parallel jobs > {cores} cores: the jobs oversubscribe "
              f"the CPU; threads=auto gives each job {share}", file=sys.stderr)
    return threads


def objective_value(summary: dict[str, Any], run_dir: str | Path, key: str) -> dict[str, Any] | float:
    """What the task function returns: the summary (``none``), or the float a sweeper optimises.

    ``none`` under a sweeper that needs a number (Optuna) acts as ``final``, so a search never fails on a dict.
    """
    if key == "none":
        if not sweeper_needs_number():
            return summary
        key = "final"
    if key == "final":
        return float(summary["eval_return_mean"])
    if key == "auc":
        from rlkit.report import auc, read_evals

        evals, _ = read_evals(Path(run_dir) / "metrics.csv")
        return auc(evals) if evals else float(summary["eval_return_mean"])
    raise ValueError(f"objective={key}: one of {', '.join(OBJECTIVES)}")


def sweeper_needs_number() -> bool:
    try:
        from hydra.core.hydra_config import HydraConfig

        return HydraConfig.initialized() and "optuna" in str(HydraConfig.get().sweeper.get("_target_", "")).lower()
    except Exception:  # noqa: BLE001
        return False


# --- checks and hooks around a whole sweep ------------------------------------------------------------------------
try:
    from hydra.experimental.callback import Callback
except ImportError:  # pragma: no cover - hydra-core < 1.1
    Callback = object  # type: ignore[misc, assignment]


def ray_address(launcher: dict[str, Any]) -> str | None:
    """The Ray cluster a ``hydra/launcher=ray`` sweep will join: ``hydra.launcher.ray.init.address``, else
    ``$RAY_ADDRESS`` (as ``ray.init`` reads it); None or ``local``: a Ray started inside this process."""
    address = ((launcher.get("ray") or {}).get("init") or {}).get("address") or os.environ.get("RAY_ADDRESS")
    return None if address in (None, "", "local") else str(address)


def check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """A TCP connection to a Ray address (``host:port`` or ``ray://host:port``) within ``timeout_s``, else one
    ``ConfigError`` line; ``auto`` (a cluster started on this machine) is left to Ray."""
    import socket

    from rlkit.errors import ConfigError

    if address == "auto":
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise ConfigError(f"hydra.launcher.ray.init.address={address}: expected host:port (e.g. 10.0.0.5:6379), "
                          "ray://host:10001, auto, or null for a local Ray")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise ConfigError(f"hydra.launcher.ray.init.address={address}: no Ray cluster answers there ({reason}; "
                          f"waited at most {timeout_s:g} s); start one with `ray start --head --port={port}` on "
                          f"{host}, or leave the address unset for a local Ray in this process") from None


class SweepCallback(Callback):
    """Hydra callback (``hydra.callbacks.rlkit`` in conf/config.yaml) run by the process that launches a sweep:
    before any job, a Ray address that does not answer is one line (not a long hang in ``ray.init``) and an Optuna
    study is prepared for resuming (rlkit/tune.py); after the last job, Optuna's best trial becomes a candidate
    preset."""

    def on_multirun_start(self, config: Any, **kwargs: Any) -> None:
        from omegaconf import OmegaConf, open_dict, read_write

        from rlkit.errors import ConfigError

        use_hydra_config(config)
        try:
            launcher = OmegaConf.to_container(config.hydra.launcher, resolve=True)
            if "Ray" in str(launcher.get("_target_", "")):
                address = ray_address(launcher)
                if address is not None:
                    check_reachable(address)
                    init = config.hydra.launcher.ray.init
                    if "object_store_memory" not in init:
                        # hydra-ray-launcher 1.2.2 sets it for a local Ray, and Ray ≥ 2 refuses it when joining a
                        # cluster ("object_store_memory must not be provided"): the cluster's own setting holds
                        with read_write(init), open_dict(init):
                            init.object_store_memory = None
            if is_optuna(config):
                from rlkit.tune import prepare_study

                prepare_study(config)
        except ConfigError as exc:  # Hydra turns a callback's exception into a warning and goes on: stop here
            print(f"rlkit: error: {exc}", file=sys.stderr)
            raise SystemExit(2) from None

    def on_multirun_end(self, config: Any, **kwargs: Any) -> None:
        use_hydra_config(config)
        if is_optuna(config):
            from rlkit.tune import write_candidate

            write_candidate(config)


def use_hydra_config(config: Any) -> None:
    """Let ``${hydra:...}`` (e.g. ``agent.name``, a sweep dir named after the agent) resolve in the launching
    process, as it does in a job; Hydra sets it only per job."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        HydraConfig.instance().set_config(config)


def is_optuna(config: Any) -> bool:
    return "optuna" in str(config.hydra.sweeper.get("_target_", "")).lower()
