"""The training loop. It knows the agent only through act / observe / update / state_dict.

A checkpoint holds everything that decides the rest of the run (agent, env states, RNG states, schedules and
the run's history), so a run resumed from ``last.pt`` continues exactly as the uninterrupted run would have.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import Tensor

from rlkit.agents.base import Agent
from rlkit.checkpoint import atomic_file, rng_state, save_checkpoint, set_rng_state, write_text
from rlkit.envs.vector import VectorEnv
from rlkit.errors import RunError, WriteError
from rlkit.loggers.base import Logger
from rlkit.plot import take_worker
from rlkit.registry import one_line
from rlkit.seeding import evaluation_seed


class Recorder(Protocol):
    """Films evaluation episodes (``eval.video``): a post-training tool plugged in, not imported, by training."""

    def record(self, agent: Agent, step: int) -> list[Path]:
        """MP4 files of the deterministic policy at env step ``step``."""
        ...


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
    """Everything about the run so far that a resumed run needs besides the agent and the envs."""

    env_steps: int = 0
    updates: int = 0
    train_wall_s: float = 0.0
    best_eval: float = -math.inf
    best_step: int = -1  # env step of the evaluation that best.pt holds
    next_log: int = 0  # the schedules: env step of the next log, evaluation and checkpoint
    next_eval: int = 0
    next_ckpt: int = 0
    episodes: list[tuple[int, float]] = field(default_factory=list)
    evals: list[tuple[int, float, float]] = field(default_factory=list)
    last_metrics: dict[str, Tensor] | None = None  # the latest update's metrics, logged at the next log step

    def state(self) -> dict[str, Any]:
        """For a checkpoint: the histories as float64 tensors (exact, and pickled as one blob each rather than as
        thousands of tuples, which made every save of a long run slower)."""
        state = {f.name: getattr(self, f.name) for f in fields(self)}
        state["episodes"] = torch.tensor(self.episodes, dtype=torch.float64).reshape(-1, 2)
        state["evals"] = torch.tensor(self.evals, dtype=torch.float64).reshape(-1, 3)
        return state

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Progress:
        state = dict(state)
        state["episodes"] = [(int(step), ret) for step, ret in torch.as_tensor(state["episodes"]).tolist()]
        state["evals"] = [(int(step), mean, std) for step, mean, std in torch.as_tensor(state["evals"]).tolist()]
        return cls(**state)


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
        run_config: dict | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.env, self.eval_env, self.agent, self.logger = env, eval_env, agent, logger
        self.run_dir, self.cfg, self.run_info = Path(run_dir), config, run_info
        self.run_config = run_config  # stored in checkpoints: a resume checks it against its own
        self.recorder = recorder  # films evaluation episodes (eval.video); the trainer knows only this interface
        self.checkpoint_dir = self.run_dir / "checkpoints"
        cfg = config
        self.progress = Progress(next_log=cfg.log_every, next_eval=cfg.eval_every, next_ckpt=cfg.checkpoint_every)
        self.resumed = False
        self.finite_flags: list[Tensor] = []  # per update since the last check: isfinite of each loss
        self.loss_names: list[str] = []
        self.checked_updates = 0
        self.saved_step: int | None = None  # env step of the last checkpoint written whole (for a fault's message)

    # --- checkpoints ---------------------------------------------------------------------------------------
    def save(self, name: str = "last.pt") -> None:
        """Write the whole run state; a loss gone non-finite since the last check stops the run first."""
        self.check_finite()
        self.write_checkpoint(name)
        self.saved_step = self.progress.env_steps

    def write_checkpoint(self, name: str) -> None:
        save_checkpoint(
            self.checkpoint_dir / name,
            {
                "agent": self.agent.state_dict(),
                "env": self.env.state_dict(),
                "rng": rng_state(),
                "run_info": self.run_info,
                "config": self.run_config,
                "progress": self.progress.state(),
            },
        )

    def keep_as_best(self) -> None:
        """best.pt is a copy of a last.pt, so it never holds a state that last.pt has not reached."""
        with atomic_file(self.checkpoint_dir / "best.pt") as file, open(self.checkpoint_dir / "last.pt", "rb") as src:
            shutil.copyfileobj(src, file)

    def resume(self, state: dict[str, Any]) -> None:
        """Continue from a loaded ``last.pt``: agent, envs, RNGs and schedules as they were when it was saved."""
        self.agent.load_state_dict(state["agent"])
        self.progress = Progress.from_state(state["progress"])
        if not self.env.load_state_dict(state.get("env") or {}):  # envs that could not be pickled
            self.env.reset(seed=self.cfg.seed + self.progress.env_steps)
            self.agent.envs_restarted()
        set_rng_state(state["rng"])
        self.resumed = True
        self.saved_step = self.progress.env_steps
        if self.progress.best_step == self.progress.env_steps:
            self.keep_as_best()  # the run may have stopped between writing last.pt and copying it to best.pt

    # --- faults --------------------------------------------------------------------------------------------
    def watch_losses(self, metrics: dict[str, Tensor]) -> None:
        """Record, without a host sync, whether each loss of this update is finite."""
        if not self.loss_names:
            self.loss_names = [k for k in metrics if k.startswith("losses/")]
        if self.loss_names:
            self.finite_flags.append(torch.isfinite(torch.stack([metrics[k] for k in self.loss_names])))

    def check_finite(self) -> None:
        """Raise ``RunError`` naming the first non-finite loss and its update number (one sync per check)."""
        if not self.finite_flags:
            return
        flags = torch.stack(self.finite_flags)
        first_update = self.checked_updates
        self.checked_updates += len(self.finite_flags)
        self.finite_flags = []
        if bool(flags.all()):
            return
        row, col = (~flags).nonzero()[0].tolist()
        last = self.checkpoint_dir / "last.pt"
        kept = f"; {last} kept from the last good state" if last.exists() else ""
        raise RunError(f"{self.loss_names[col]} became non-finite at update {first_update + row + 1} "
                       f"(by env step {self.progress.env_steps}); the run stopped{kept}")

    def step_env(self, action: Tensor):
        try:
            return self.env.step(action)
        except Exception as exc:  # noqa: BLE001 - the env's own failure: name it, keep what was learned
            env_id = self.run_info.get("env")
            where = f"env {env_id!r} raised at env step {self.progress.env_steps}: {one_line(exc)}"
            try:
                self.save("last.pt")
            except Exception as save_exc:  # noqa: BLE001
                raise RunError(f"{where}; saving a checkpoint failed too: {one_line(save_exc)}") from exc
            raise RunError(f"{where}; checkpoint saved in {self.checkpoint_dir / 'last.pt'}") from exc

    # --- the loop ------------------------------------------------------------------------------------------
    def run(self) -> dict:
        """Train to ``total_steps`` and write the summary; a file that cannot be written (a full disk, an I/O
        error, a read-only file system) stops the run with one line saying which checkpoint is intact."""
        self.plot_worker = take_worker()  # imports matplotlib beside the training, for the curve at the end
        try:
            return self.loop()
        except WriteError as exc:
            intact = ("no checkpoint was written yet" if self.saved_step is None else
                      f"the last good checkpoint (step {self.saved_step}) is intact")
            raise RunError(f"{exc}; {intact}") from None
        finally:
            self.plot_worker.close()  # a run that stopped before its curve; nothing once the curve is drawn

    def loop(self) -> dict:
        cfg, p, env, agent = self.cfg, self.progress, self.env, self.agent
        if not self.resumed:
            env.reset(seed=cfg.seed)
        obs = env.obs
        start, steps_at_start = time.perf_counter(), p.env_steps
        try:
            if not self.resumed:
                self.save("last.pt")  # from the first step on, a killed run can be resumed
            while p.env_steps < cfg.total_steps:
                transition, finished = self.step_env(agent.act(obs))
                obs = env.obs
                p.env_steps += env.num_envs
                agent.observe(transition)
                update_metrics = agent.update()
                if update_metrics is not None:
                    p.updates += 1
                    p.last_metrics = update_metrics
                    self.watch_losses(update_metrics)
                for episode_return, length in finished:
                    p.episodes.append((p.env_steps, episode_return))
                    self.logger.log(
                        {"charts/episodic_return": episode_return, "charts/episodic_length": float(length)},
                        p.env_steps,
                    )
                if p.env_steps >= p.next_log:
                    p.next_log += cfg.log_every
                    self.check_finite()
                    elapsed = time.perf_counter() - start
                    logged = {
                        "charts/sps": (p.env_steps - steps_at_start) / max(elapsed, 1e-9),
                        "charts/updates": float(p.updates),
                    }
                    if p.last_metrics is not None:  # the only host sync of update metrics, once per log interval
                        logged.update({k: float(v) for k, v in p.last_metrics.items()})
                    self.logger.log(logged, p.env_steps)
                improved = False
                if p.env_steps >= p.next_eval or p.env_steps >= cfg.total_steps:
                    p.next_eval += cfg.eval_every
                    improved = self.evaluate()
                if p.env_steps >= p.next_ckpt or improved:
                    if p.env_steps >= p.next_ckpt:
                        p.next_ckpt += cfg.checkpoint_every
                    p.train_wall_s += time.perf_counter() - start
                    start, steps_at_start = time.perf_counter(), p.env_steps
                    self.save("last.pt")
                    if improved:
                        self.keep_as_best()
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: keep what was learned, then stop
            p.train_wall_s += time.perf_counter() - start
            self.save("last.pt")
            raise
        p.train_wall_s += time.perf_counter() - start
        self.save("last.pt")
        return self.finish()

    def evaluate(self) -> bool:
        """One deterministic evaluation, logged; True when it is the best so far (best.pt follows)."""
        self.check_finite()
        p = self.progress
        returns = evaluate(self.agent, self.eval_env, self.cfg.eval_episodes, seed=evaluation_seed(self.cfg.seed))
        mean, std = float(returns.mean()), float(returns.std())
        p.evals.append((p.env_steps, mean, std))
        self.logger.log({"eval/return_mean": mean, "eval/return_std": std}, p.env_steps)
        if self.recorder is not None:
            for video in self.recorder.record(self.agent, p.env_steps):
                self.logger.log_video("eval/video", video, p.env_steps)
        if mean >= p.best_eval:
            p.best_eval, p.best_step = mean, p.env_steps
            return True
        return False

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
            "best_eval_step": p.best_step,
            "episodes": len(p.episodes),
        }
        curve = self.run_dir / "learning_curve.png"
        png = self.plot_worker.render(
            p.episodes,
            p.evals,
            title=f"{self.run_info.get('agent')} on {self.run_info.get('env')} (seed {self.run_info.get('seed')})",
        )
        with atomic_file(curve) as file:
            file.write(png)
        self.logger.log_image("charts/learning_curve", curve, p.env_steps)
        write_text(self.run_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
        return summary
