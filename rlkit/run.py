"""One run's lifecycle, for the CLI and ``rlkit.train`` alike: validate the config, own the run dir, build the
env, agent and loggers, train, and let go of the run dir however the run ends.

Owning the run dir means two things. A fresh run (``resume=false``) never silently replaces an earlier run: a
dir holding a checkpoint, metrics or a summary is refused in one line, unless ``overwrite=true``. And while a run
trains, it holds an OS lock on its run dir (``rlkit.checkpoint.RunDirLock``), so a second process writing into it
(a fresh run, a ``resume=``, a sweep job under ``resume=auto``, ``rlkit.evaluate --video``) is refused in one line
naming the holder's pid, and the holder carries on. Tools that only read a run dir (``rlkit.evaluate``,
``rlkit.load``, ``rlkit.export``) take no lock.
"""

from __future__ import annotations

import importlib
import os
import random
import shutil
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch

from rlkit import presets
from rlkit.agents import AGENTS, make_agent
from rlkit.checkpoint import RunDirLock, holder_text, write_text
from rlkit.config import AUTO
from rlkit.device import pick_device
from rlkit.envs import check_env, env_options, make_env
from rlkit.errors import ConfigError, WriteError
from rlkit.loggers import make_loggers
from rlkit.machine import cpu_name
from rlkit.registry import one_line
from rlkit.resume import finished_summary, load_resume_state
from rlkit.schema import format_value, validate
from rlkit.seeding import evaluation_seed
from rlkit.signals import STOP_GATE
from rlkit.sweep import resolve_threads
from rlkit.trainer import Recorder, Trainer, TrainerConfig

# A run dir holds a run when it has one of these; a fresh run into it is refused unless overwrite=true.
RUN_FILES = ("checkpoints/last.pt", "checkpoints/best.pt", "metrics.csv", "summary.json")
# What overwrite=true removes before the new run writes its own: everything a run and its tools write there.
RUN_OUTPUTS = (".hydra", "checkpoints", "metrics.csv", "summary.json", "learning_curve.png", "eval.json", "videos",
               "tensorboard", "wandb", "wandb_run_id.txt")
# eval.video=true → a recorder, imported by name only when videos are asked for (rlkit/video.py).
RECORDERS = {"video": ("rlkit.video", "EvalRecorder")}


def hydra_job() -> tuple[Path, dict[str, Any]]:
    """Inside ``@hydra.main``: this job's run dir and Hydra's records of it (written to ``.hydra/``)."""
    from hydra.core.hydra_config import HydraConfig
    from omegaconf import OmegaConf

    hydra_cfg = HydraConfig.get()
    return Path(hydra_cfg.runtime.output_dir), {"hydra.yaml": {"hydra": OmegaConf.to_container(hydra_cfg)},
                                                "overrides.yaml": list(hydra_cfg.overrides.task)}


def remove_if_empty(run_dir: Path) -> None:
    """Hydra creates the run dir before the config is checked; a rejected fresh run leaves nothing behind."""
    if run_dir.is_dir() and not any(run_dir.iterdir()):
        run_dir.rmdir()


def report(summary: dict[str, Any], run_dir: Path, objective: str) -> dict[str, Any] | float:
    """The run's one closing line on stderr; returns what a sweeper gets (``objective``)."""
    from rlkit.sweep import objective_value

    print(f"rlkit: {summary['agent']} on {summary['env']}: eval return {summary['eval_return_mean']:.1f} ± "
          f"{summary['eval_return_std']:.1f} after {summary['env_steps']} steps ({summary['train_wall_s']:.1f} s); "
          f"run dir {run_dir}", file=sys.stderr)
    return objective_value(summary, run_dir, objective)


def run_dir_key(cfg: dict[str, Any], run_dir: Path) -> str:
    """How the command named the run dir: ``resume=<dir>`` or ``hydra.run.dir=<dir>``."""
    resume = cfg.get("resume")
    if isinstance(resume, str) and resume not in ("", AUTO):
        return f"resume={resume}"
    return f"hydra.run.dir={run_dir}"


@contextmanager
def own_run_dir(cfg: dict[str, Any], run_dir: Path) -> Iterator[list[str]]:
    """Hold ``run_dir``'s lock for the block; yields the earlier run's files that ``overwrite=true`` replaces.

    Refuses, in one line and before anything is written: a dir another process holds, and a fresh run into a dir
    holding an earlier run without ``overwrite=true``."""
    key = run_dir_key(cfg, run_dir)
    if cfg["overwrite"] and cfg["resume"] is not False:
        raise ConfigError(f"overwrite=true: resume={format_value(cfg['resume'])} continues the run in its run dir, "
                          "overwrite=true replaces it; give one of them")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{key}: cannot create the run dir ({(exc.strerror or str(exc)).lower()})") from None
    lock = RunDirLock(run_dir).acquire(
        lambda pid: f"{key}: in use by another rlkit process ({holder_text(pid)}) that holds "
                    f"{run_dir / '.rlkit.lock'}; wait for it to end, or give another hydra.run.dir")
    try:
        for stale in [*run_dir.glob("*.tmp"), *run_dir.glob("checkpoints/*.tmp")]:
            stale.unlink()  # a half-written file of a killed process: ours to remove now that we hold the dir
        found = [name for name in RUN_FILES if (run_dir / name).exists()] if cfg["resume"] is False else []
        if found and not cfg["overwrite"]:
            raise ConfigError(f"{key}: holds an earlier run ({', '.join(found)}); continue it with resume=true, "
                              "give another hydra.run.dir for a new run, or replace it with overwrite=true")
        yield found
    finally:
        lock.release()


def clear_earlier_run(run_dir: Path) -> None:
    """``overwrite=true``: remove what an earlier run wrote (never anything else in the dir)."""
    for name in RUN_OUTPUTS:
        path = run_dir / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def write_run_config(run_dir: Path, cfg: dict, hydra_files: dict[str, Any] | None) -> None:
    """``.hydra/config.yaml`` (the resolved config, readable without Hydra) and Hydra's own records, written only
    once the config is valid, so a rejected command leaves an earlier run's files untouched."""
    from omegaconf import OmegaConf

    folder = run_dir / ".hydra"
    try:
        with STOP_GATE.held():  # a stop raised inside OmegaConf's object building breaks it (rlkit/signals.py)
            write_text(folder / "config.yaml", OmegaConf.to_yaml(OmegaConf.create(cfg)))
            for name, content in (hydra_files or {}).items():
                write_text(folder / name, OmegaConf.to_yaml(OmegaConf.create(content)))
    except WriteError as exc:
        raise ConfigError(f"hydra.run.dir={run_dir}: cannot write the run dir ({str(exc).rpartition(': ')[2]})"
                          ) from None


def check_spaces(agent_name: str, env_id: str, env) -> None:
    """The agent can drive this env's spaces, else one line naming the env."""
    check = getattr(AGENTS.get(agent_name), "check_spaces", None)
    if check is not None:
        try:
            check(env.single_observation_space, env.single_action_space)
        except ConfigError as exc:
            raise ConfigError(f"env={env_id}: {exc}") from exc


def physical_memory() -> int:
    """Bytes of RAM on this machine (0 when the OS does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def check_network_size(cfg: dict[str, Any], env) -> None:
    """``network.hidden`` widths whose networks cannot fit in memory are one line, before torch tries to allocate
    them (a traceback from the allocator, or the machine swapping for minutes)."""
    widths = [int(np.prod(env.single_observation_space.shape or (1,))), *cfg["network"]["hidden"], 64]
    params = sum(a * b + b for a, b in zip(widths, widths[1:], strict=False))
    need = params * 4 * 16  # float32; up to 4 networks (actor, critic, targets) × weights, grads, Adam's two moments
    total = physical_memory()
    if total and need > total:
        raise ConfigError(f"network.hidden={format_value(cfg['network']['hidden'])}: networks of about {params:.3g} "
                          f"parameters need about {need / 2**30:.3g} GiB, more than this machine's "
                          f"{total / 2**30:.3g} GiB")


def make_recorder(cfg: dict[str, Any], run_dir: Path) -> Recorder | None:
    if not cfg["eval"]["video"]:
        return None
    module, name = RECORDERS["video"]
    return getattr(importlib.import_module(module), name)(cfg, run_dir)


def train(cfg: dict, run_dir: str | Path, hydra_files: dict[str, Any] | None = None) -> dict:
    """One training run from a plain (resolved) config; returns the summary written to summary.json.

    Bad input raises ``ConfigError`` before anything is written; a run that cannot go on raises ``RunError``."""
    run_dir = Path(run_dir)
    agent_cfg = dict(cfg["agent"])
    agent_name = str(agent_cfg.pop("name"))
    validate(cfg, AGENTS.get(agent_name))
    wrong = presets.check(agent_name, str(cfg["env"]["id"]), str(cfg["preset"]), cfg["preset_file"])
    if wrong:
        raise ConfigError(f"preset={format_value(cfg['preset'])}: {wrong}")
    device = pick_device(str(cfg["device"]))
    if cfg["cudagraphs"] and device.type != "cuda":
        raise ConfigError(f"cudagraphs=true: CUDA graphs need device=cuda, this run is on {device}; "
                          "use compile=true on CPU")
    with own_run_dir(cfg, run_dir) as earlier, ExitStack() as closing:
        resume_state = load_resume_state(cfg, run_dir, device)  # None for a fresh run; refuses a mismatched one
        if resume_state is not None and cfg["resume"] == AUTO:
            finished = finished_summary(run_dir, cfg["total_steps"])
            if finished is not None:
                print(f"rlkit: {run_dir} finished earlier; resume=auto does not run it again", file=sys.stderr)
                return finished

        threads = resolve_threads(cfg["threads"])  # auto: this job's share of the cores (rlkit/sweep.py)
        torch.set_num_threads(threads)
        seed, num_envs, env_cfg = cfg["seed"], cfg["num_envs"], cfg["env"]
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)
        env_id = str(env_cfg["id"])
        make = {**env_options(cfg), "device": device}
        if env_cfg["check"]:
            check_env(env_id, env_cfg["kwargs"], env_cfg["max_episode_steps"])
        env = make_env(num_envs=num_envs, seed=seed, **make)
        closing.callback(env.close)
        check_spaces(agent_name, env_id, env)
        recorder = make_recorder(cfg, run_dir)
        check_network_size(cfg, env)
        try:
            agent = make_agent(agent_name, env.single_observation_space, env.single_action_space, device,
                               network=cfg["network"], **agent_cfg)
        except (MemoryError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) and "allocate" not in str(exc):
                raise
            raise ConfigError(f"agent={agent_name}: its networks and buffers do not fit in memory "
                              f"({one_line(exc)}); give a smaller network.hidden or agent.buffer_size") from None
        if cfg["compile"] or cfg["cudagraphs"]:
            agent.compile(mode="reduce-overhead" if cfg["cudagraphs"] else None)
        eval_env = make_env(num_envs=cfg["eval"]["episodes"], seed=evaluation_seed(seed), training=False, **make)
        closing.callback(eval_env.close)
        if earlier:  # overwrite=true, and everything that could refuse this run has passed
            clear_earlier_run(run_dir)
        write_run_config(run_dir, cfg, hydra_files)
        trainer_cfg = TrainerConfig(total_steps=cfg["total_steps"], eval_every=cfg["eval"]["every"],
                                    eval_episodes=cfg["eval"]["episodes"], checkpoint_every=cfg["checkpoint"]["every"],
                                    log_every=cfg["log_every"], seed=seed)
        run_info = {"agent": agent_name, "env": env_id, "seed": seed, "device": str(device), "num_envs": num_envs,
                    "threads": threads, "cpu": cpu_name(), "torch": str(torch.__version__)}
        resume_step = None if resume_state is None else int(resume_state["progress"]["env_steps"])
        logger = make_loggers(run_dir, trainer_cfg.total_steps, cfg, run_info, resume_step)
        trainer = Trainer(env, eval_env, agent, logger, run_dir, trainer_cfg, run_info, run_config=cfg,
                          recorder=recorder)
        if resume_state is not None:
            trainer.resume(resume_state)
        # the run's first line, once nothing can refuse it any more (a refused command stays one line)
        print(f"rlkit: {agent_name} on {env_id}, {presets.describe(str(cfg['preset']), cfg['preset_file'])}",
              file=sys.stderr)
        try:
            summary = trainer.run()
        except BaseException:
            try:
                logger.close()
            except Exception:  # noqa: BLE001 - e.g. the full disk again; the error in flight is the one to report
                pass
            raise
        logger.close()
        return summary
