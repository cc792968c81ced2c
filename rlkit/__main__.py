"""``python -m rlkit agent=ddpg env=Pendulum-v1``: compose the config, wire env, agent, loggers and trainer."""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rlkit.agents import AGENTS, make_agent
from rlkit.config import AUTO, register_resolvers, to_plain
from rlkit.device import pick_device
from rlkit.envs import check_env, env_options, make_env
from rlkit.errors import ConfigError, RunError
from rlkit.loggers import make_loggers
from rlkit.resume import check_resume_target, finished_summary, load_resume_state
from rlkit.schema import validate
from rlkit.signals import STOP_GATE, Terminated
from rlkit.sweep import objective_value, resolve_threads
from rlkit.trainer import Trainer, TrainerConfig

register_resolvers()


def write_run_config(run_dir: Path, cfg: dict, hydra_files: dict[str, Any] | None) -> None:
    """``.hydra/config.yaml`` (the resolved config, readable without Hydra) and Hydra's own records, written only
    once the config is valid, so a rejected command leaves an earlier run's files untouched."""
    folder = run_dir / ".hydra"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with STOP_GATE.held():  # a stop raised inside OmegaConf's object building breaks it (rlkit/signals.py)
            OmegaConf.save(OmegaConf.create(cfg), folder / "config.yaml")
            for name, content in (hydra_files or {}).items():
                OmegaConf.save(OmegaConf.create(content), folder / name)
    except OSError as exc:
        raise ConfigError(f"hydra.run.dir={run_dir}: cannot write the run dir ({exc.strerror or exc})") from exc


def check_spaces(agent_name: str, env_id: str, env) -> None:
    """The agent can drive this env's spaces, else one line naming the env."""
    check = getattr(AGENTS.get(agent_name), "check_spaces", None)
    if check is not None:
        try:
            check(env.single_observation_space, env.single_action_space)
        except ConfigError as exc:
            env.close()
            raise ConfigError(f"env={env_id}: {exc}") from exc


def train(cfg: dict, run_dir: Path, hydra_files: dict[str, Any] | None = None) -> dict:
    """One training run from a plain (resolved) config; returns the summary written to summary.json."""
    agent_cfg = dict(cfg["agent"])
    agent_name = str(agent_cfg.pop("name"))
    validate(cfg, AGENTS.get(agent_name))
    device = pick_device(str(cfg["device"]))
    if cfg["cudagraphs"] and device.type != "cuda":
        raise ConfigError(f"cudagraphs=true: CUDA graphs need device=cuda, this run is on {device}; "
                          "use compile=true on CPU")
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
    check_spaces(agent_name, env_id, env)
    record_video = None
    if cfg["eval"]["video"]:
        from rlkit.video import check_video_support, record_episodes

        check_video_support(cfg)

        def record_video(agent, step: int) -> list[Path]:
            return record_episodes(agent, cfg, run_dir / "videos", 1, seed + 10_000, f"eval-step{step}")
    write_run_config(run_dir, cfg, hydra_files)
    agent = make_agent(agent_name, env.single_observation_space, env.single_action_space, device,
                       network=cfg["network"], **agent_cfg)
    if cfg["compile"] or cfg["cudagraphs"]:
        agent.compile(mode="reduce-overhead" if cfg["cudagraphs"] else None)
    eval_env = make_env(num_envs=cfg["eval"]["episodes"], seed=seed + 10_000, training=False, **make)
    trainer_cfg = TrainerConfig(total_steps=cfg["total_steps"], eval_every=cfg["eval"]["every"],
                                eval_episodes=cfg["eval"]["episodes"], checkpoint_every=cfg["checkpoint"]["every"],
                                log_every=cfg["log_every"], seed=seed)
    run_info = {"agent": agent_name, "env": env_id, "seed": seed, "device": str(device), "num_envs": num_envs,
                "threads": threads}
    resume_step = None if resume_state is None else int(resume_state["progress"]["env_steps"])
    logger = make_loggers(run_dir, trainer_cfg.total_steps, cfg, run_info, resume_step)
    trainer = Trainer(env, eval_env, agent, logger, run_dir, trainer_cfg, run_info, run_config=cfg,
                      record_video=record_video)
    if resume_state is not None:
        trainer.resume(resume_state)
    try:
        return trainer.run()
    finally:
        logger.close()
        env.close()
        eval_env.close()


def remove_if_empty(run_dir: Path) -> None:
    """Hydra creates the run dir before the config is checked; a rejected fresh run leaves nothing behind."""
    try:
        run_dir.rmdir()
    except OSError:
        pass


@hydra.main(version_base=None, config_path="pkg://rlkit.conf", config_name="config")
def hydra_app(cfg: DictConfig) -> dict | float:
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    hydra_files = {"hydra.yaml": {"hydra": OmegaConf.to_container(hydra_cfg)},
                   "overrides.yaml": list(hydra_cfg.overrides.task)}
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
        exit_with(f"rlkit: error: {exc}", 2)
    except RunError as exc:
        exit_with(f"rlkit: error: {exc}", 1)
    except Terminated:
        exit_with(f"\nrlkit: terminated; last checkpoint in {run_dir / 'checkpoints'}", 143)
    except KeyboardInterrupt:
        exit_with(f"\nrlkit: interrupted; last checkpoint in {run_dir / 'checkpoints'}", 130)
    finally:
        STOP_GATE.leave_job()
    print(
        f"rlkit: {summary['agent']} on {summary['env']}: eval return {summary['eval_return_mean']:.1f} "
        f"± {summary['eval_return_std']:.1f} after {summary['env_steps']} steps "
        f"({summary['train_wall_s']:.1f} s); run dir {run_dir}",
        file=sys.stderr,
    )
    return objective_value(summary, run_dir, cfg.objective)  # a float when a sweeper optimises (objective=...)


def exit_with(message: str, code: int) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


def main() -> None:
    """Console-script entry. SIGTERM is handled like Ctrl-C, so both leave a fresh checkpoint behind (rlkit/signals.py).
    Hydra's own errors (a bad override, a missing config group option) become one line and exit 2 unless
    HYDRA_FULL_ERROR=1."""
    STOP_GATE.install()
    for arg in sys.argv[1:]:  # resume=<run dir>: fail before Hydra creates a mistyped path as a new run dir
        key, _, value = arg.partition("=")
        if key == "resume" and value.lower() not in ("true", "false", "", AUTO):
            try:
                check_resume_target(value, None)
            except ConfigError as exc:
                exit_with(f"rlkit: error: {exc}", 2)
    full_error = os.environ.get("HYDRA_FULL_ERROR") == "1"
    os.environ["HYDRA_FULL_ERROR"] = "1"  # makes Hydra re-raise, so the error can be reported here in one line
    try:
        hydra_app()
        STOP_GATE.raise_pending()  # a stop that came after the last job
    except KeyboardInterrupt as exc:  # between jobs of a sweep (e.g. while a sweeper writes its study)
        exit_with("\nrlkit: stopped between jobs", 143 if isinstance(exc, Terminated) else 130)
    except Exception as exc:
        if full_error or STOP_GATE.jobs_started:
            raise
        from rlkit.hydra_errors import describe

        exit_with(f"rlkit: error: {describe(exc)}", 2)
    finally:
        if not full_error:
            os.environ.pop("HYDRA_FULL_ERROR", None)


if __name__ == "__main__":
    main()
