"""``python -m rlkit agent=ddpg env=Pendulum-v1``: the Hydra entry and the exit codes; a run's lifecycle (owning the
run dir, validating, building, training) lives in rlkit/run.py, shared with ``rlkit.train``."""

from __future__ import annotations

import os
import sys

import hydra
from omegaconf import DictConfig

from rlkit.config import check_groups, expand_env_globs, register_resolvers, to_plain
from rlkit.errors import error_line
from rlkit.signals import STOP_GATE, Terminated

register_resolvers()


@hydra.main(version_base=None, config_path="pkg://rlkit.conf", config_name="config")
def hydra_app(cfg: DictConfig) -> dict | float:
    from rlkit.errors import ConfigError, RunError
    from rlkit.run import hydra_job, remove_if_empty, report, train  # torch: not for --help or a bad override

    run_dir, hydra_files = hydra_job()
    plain = to_plain(cfg)  # OmegaConf work, done before the job opens to immediate stops
    try:
        STOP_GATE.enter_job()  # a stop that came while Hydra chose this job ends the sweep here
    except KeyboardInterrupt:
        remove_if_empty(run_dir)
        raise
    try:
        summary = train(plain, run_dir, hydra_files)
    except ConfigError as exc:
        remove_if_empty(run_dir)
        exit_with(error_line(exc), 2)
    except RunError as exc:
        exit_with(error_line(exc), 1)
    except KeyboardInterrupt as exc:
        name, code = ("terminated", 143) if isinstance(exc, Terminated) else ("interrupted", 130)
        exit_with(f"\nrlkit: {name}; last checkpoint in {run_dir / 'checkpoints'}", code)
    finally:
        STOP_GATE.leave_job()
    return report(summary, run_dir, cfg.objective)  # the summary, or the float a sweeper optimises


def exit_with(message: str, code: int) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


def main() -> None:
    """Console-script entry: rlkit's ``--help``; SIGTERM handled like Ctrl-C (rlkit/signals.py); Hydra's own errors
    (a bad override, a missing config group option) as one line, exit 2, unless HYDRA_FULL_ERROR=1."""
    if any(arg in ("--help", "-h") for arg in sys.argv[1:]):
        return print(__import__("rlkit.help").help.text(), end="")  # rlkit's own help, without torch
    __import__("rlkit.plot").plot.prestart_worker(sys.argv[1:])  # matplotlib imports beside torch, on another core
    STOP_GATE.install()
    full_error = os.environ.get("HYDRA_FULL_ERROR") == "1"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # makes Hydra re-raise, so the error can be reported here in one line
    try:
        sys.argv[1:] = expand_env_globs(sys.argv[1:])  # env=glob(MinAtar/*): Hydra's glob misses nested ids
        check_groups(sys.argv[1:])  # agent=0, env=[a,b]: one line naming them, which Hydra's errors do not
        if any(arg.startswith("resume=") for arg in sys.argv[1:]):  # before Hydra makes a mistyped one a run dir
            __import__("rlkit.resume").resume.check_command_line(sys.argv[1:])
        hydra_app()
        STOP_GATE.raise_pending()  # a stop that came after the last job
    except KeyboardInterrupt as exc:  # between jobs of a sweep (e.g. while a sweeper writes its study)
        exit_with("\nrlkit: stopped between jobs", 143 if isinstance(exc, Terminated) else 130)
    except Exception as exc:
        if full_error or STOP_GATE.jobs_started:
            raise
        from rlkit.hydra_errors import describe

        exit_with(error_line(describe(exc, sys.argv[1:])), 2)
    finally:
        if not full_error:
            os.environ.pop("HYDRA_FULL_ERROR", None)


if __name__ == "__main__":
    main()
