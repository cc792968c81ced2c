"""The training loop. It knows the agent only through act / observe / update / state_dict."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rlkit.agents.base import Agent
from rlkit.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state
from rlkit.envs.vector import VectorEnv
from rlkit.loggers.base import Logger
from rlkit.plot import plot_learning_curve


@dataclass
class TrainerConfig:
    total_steps: int
    eval_every: int  # env steps between evaluations; the last step is always evaluated
    eval_episodes: int
    checkpoint_every: int
    log_every: int  # env steps between logs of update metrics and steps/s
    seed: int


@dataclass
class Progress:
    """Everything about the run so far that a resumed run needs besides the agent itself."""

    env_steps: int = 0
    updates: int = 0
    train_wall_s: float = 0.0
    best_eval: float = -math.inf
    episodes: list[tuple[int, float]] = field(default_factory=list)
    evals: list[tuple[int, float, float]] = field(default_factory=list)


def evaluate(agent: Agent, env: VectorEnv, episodes: int, seed: int) -> np.ndarray:
    """Returns of ``episodes`` episodes of the deterministic policy, run side by side (one per sub-env)."""
    obs = env.reset(seed=seed)
    returns = np.zeros(env.num_envs)
    finished = np.zeros(env.num_envs, dtype=bool)
    while not finished[:episodes].all():
        transition, _ = env.step(agent.act(obs, explore=False))
        reward = transition.reward.cpu().numpy()
        returns += np.where(finished, 0.0, reward)
        finished |= transition.done.cpu().numpy().astype(bool)
        obs = env.obs
    return returns[:episodes]


class Trainer:
    """act → env.step → observe → update, with logging, evaluation and checkpoints on env-step schedules."""

    def __init__(
        self,
        env: VectorEnv,
        eval_env: VectorEnv,
        agent: Agent,
        logger: Logger,
        run_dir: Path,
        config: TrainerConfig,
        run_info: dict,
    ) -> None:
        self.env, self.eval_env, self.agent, self.logger = env, eval_env, agent, logger
        self.run_dir, self.cfg, self.run_info = Path(run_dir), config, run_info
        self.checkpoint_dir = self.run_dir / "checkpoints"
        self.progress = Progress()

    # --- checkpoints ---------------------------------------------------------------------------------------
    def save(self, name: str) -> None:
        p = self.progress
        save_checkpoint(
            self.checkpoint_dir / name,
            {
                "agent": self.agent.state_dict(),
                "rng": rng_state(),
                "run_info": self.run_info,
                "progress": {
                    "env_steps": p.env_steps,
                    "updates": p.updates,
                    "train_wall_s": p.train_wall_s,
                    "best_eval": p.best_eval,
                    "episodes": p.episodes,
                    "evals": p.evals,
                },
            },
        )

    def resume(self, path: Path) -> None:
        state = load_checkpoint(path, map_location=self.agent.device)
        self.agent.load_state_dict(state["agent"])
        set_rng_state(state["rng"])
        prog = state["progress"]
        self.progress = Progress(
            prog["env_steps"],
            prog["updates"],
            prog["train_wall_s"],
            prog["best_eval"],
            [tuple(e) for e in prog["episodes"]],
            [tuple(e) for e in prog["evals"]],
        )

    # --- the loop ------------------------------------------------------------------------------------------
    def run(self) -> dict:
        cfg, p, env, agent = self.cfg, self.progress, self.env, self.agent
        obs = env.reset(seed=cfg.seed + p.env_steps)
        next_eval = (p.env_steps // cfg.eval_every + 1) * cfg.eval_every
        next_ckpt = (p.env_steps // cfg.checkpoint_every + 1) * cfg.checkpoint_every
        next_log = p.env_steps + cfg.log_every
        start, steps_at_start, metrics = time.perf_counter(), p.env_steps, None
        try:
            while p.env_steps < cfg.total_steps:
                transition, finished = env.step(agent.act(obs))
                obs = env.obs
                p.env_steps += env.num_envs
                agent.observe(transition)
                update_metrics = agent.update()
                if update_metrics is not None:
                    p.updates += 1
                    metrics = update_metrics
                for episode_return, length in finished:
                    p.episodes.append((p.env_steps, episode_return))
                    self.logger.log(
                        {"charts/episodic_return": episode_return, "charts/episodic_length": float(length)},
                        p.env_steps,
                    )
                if p.env_steps >= next_log:
                    next_log += cfg.log_every
                    elapsed = time.perf_counter() - start
                    logged = {
                        "charts/sps": (p.env_steps - steps_at_start) / max(elapsed, 1e-9),
                        "charts/updates": float(p.updates),
                    }
                    if metrics is not None:  # the only host sync of update metrics, once per log interval
                        logged.update({k: float(v) for k, v in metrics.items()})
                    self.logger.log(logged, p.env_steps)
                if p.env_steps >= next_eval or p.env_steps >= cfg.total_steps:
                    next_eval += cfg.eval_every
                    self.evaluate_and_keep_best()
                if p.env_steps >= next_ckpt:
                    next_ckpt += cfg.checkpoint_every
                    p.train_wall_s += time.perf_counter() - start
                    start, steps_at_start = time.perf_counter(), p.env_steps
                    self.save("last.pt")
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: keep what was learned, then stop
            p.train_wall_s += time.perf_counter() - start
            self.save("last.pt")
            raise
        p.train_wall_s += time.perf_counter() - start
        self.save("last.pt")
        return self.finish()

    def evaluate_and_keep_best(self) -> None:
        p = self.progress
        returns = evaluate(self.agent, self.eval_env, self.cfg.eval_episodes, seed=self.cfg.seed + 10_000)
        mean, std = float(returns.mean()), float(returns.std())
        p.evals.append((p.env_steps, mean, std))
        self.logger.log({"eval/return_mean": mean, "eval/return_std": std}, p.env_steps)
        if mean >= p.best_eval:
            p.best_eval = mean
            self.save("best.pt")

    def finish(self) -> dict:
        p = self.progress
        _, mean, std = p.evals[-1]
        summary = {
            **self.run_info,
            "env_steps": p.env_steps,
            "updates": p.updates,
            "train_wall_s": round(p.train_wall_s, 3),
            "sps": round(p.env_steps / max(p.train_wall_s, 1e-9), 1),
            "eval_return_mean": mean,
            "eval_return_std": std,
            "best_eval_return_mean": p.best_eval,
            "episodes": len(p.episodes),
        }
        curve = self.run_dir / "learning_curve.png"
        plot_learning_curve(
            curve,
            p.episodes,
            p.evals,
            title=f"{self.run_info.get('agent')} on {self.run_info.get('env')} "
            f"(seed {self.run_info.get('seed')})",
        )
        self.logger.log_image("charts/learning_curve", curve, p.env_steps)
        (self.run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        return summary
