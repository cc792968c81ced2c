"""``python -m rlkit agent=ddpg env=Pendulum-v1``: compose the config, wire env, agent, loggers and trainer."""

from __future__ import annotations

import random
import signal
import sys
from pathlib import Path

import hydra
import numpy as np
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from rlkit.agents import make_agent
from rlkit.config import positive_int, register_resolvers, to_plain
from rlkit.device import pick_device
from rlkit.envs import check_env, make_env
from rlkit.errors import ConfigError
from rlkit.loggers import make_loggers
from rlkit.trainer import Trainer, TrainerConfig

register_resolvers()


def train(cfg: dict, run_dir: Path) -> dict:
    """One training run from a plain (resolved) config; returns the summary written to summary.json."""
    torch.set_num_threads(positive_int(cfg, "threads"))
    seed = int(cfg["seed"])
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    device = pick_device(str(cfg["device"]))
    env_cfg, agent_cfg = dict(cfg["env"]), dict(cfg["agent"])
    env_id, agent_name = str(env_cfg["id"]), str(agent_cfg.pop("name"))
    num_envs = positive_int(cfg, "num_envs")
    make = {
        "env_id": env_id,
        "device": device,
        "kwargs": env_cfg.get("kwargs"),
        "max_episode_steps": env_cfg.get("max_episode_steps"),
    }
    if env_cfg.get("check"):
        check_env(env_id, env_cfg.get("kwargs"), env_cfg.get("max_episode_steps"))
    env = make_env(num_envs=num_envs, seed=seed, **make)
    agent = make_agent(
        agent_name,
        env.single_observation_space,
        env.single_action_space,
        device,
        network=cfg["network"],
        **agent_cfg,
    )
    eval_env = make_env(num_envs=positive_int(cfg, "eval.episodes"), seed=seed + 10_000, **make)
    trainer_cfg = TrainerConfig(
        total_steps=positive_int(cfg, "total_steps"),
        eval_every=positive_int(cfg, "eval.every"),
        eval_episodes=positive_int(cfg, "eval.episodes"),
        checkpoint_every=positive_int(cfg, "checkpoint.every"),
        log_every=positive_int(cfg, "log_every"),
        seed=seed,
    )
    logger = make_loggers(
        run_dir, trainer_cfg.total_steps, cfg, {"agent": agent_name, "env": env_id, "seed": seed}
    )
    run_info = {
        "agent": agent_name,
        "env": env_id,
        "seed": seed,
        "device": str(device),
        "num_envs": num_envs,
        "threads": cfg["threads"],
    }
    trainer = Trainer(env, eval_env, agent, logger, run_dir, trainer_cfg, run_info)
    last = run_dir / "checkpoints" / "last.pt"
    if cfg["resume"] and last.exists():
        trainer.resume(last)
    try:
        return trainer.run()
    finally:
        logger.close()
        env.close()
        eval_env.close()


@hydra.main(version_base=None, config_path="pkg://rlkit.conf", config_name="config")
def hydra_app(cfg: DictConfig) -> dict:
    run_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        summary = train(to_plain(cfg), run_dir)
    except ConfigError as exc:
        print(f"rlkit: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"\nrlkit: interrupted; last checkpoint in {run_dir / 'checkpoints'}", file=sys.stderr)
        sys.exit(130)
    print(
        f"rlkit: {summary['agent']} on {summary['env']}: eval return {summary['eval_return_mean']:.1f} "
        f"± {summary['eval_return_std']:.1f} after {summary['env_steps']} steps "
        f"({summary['train_wall_s']:.1f} s); run dir {run_dir}",
        file=sys.stderr,
    )
    return summary


def raise_keyboard_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Console-script entry: SIGTERM is handled like Ctrl-C, so both leave a fresh checkpoint behind."""
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    hydra_app()


if __name__ == "__main__":
    main()
