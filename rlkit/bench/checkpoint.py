"""Checkpoint cost: size and save/load time of a full resume checkpoint (a DDPG run with a full 100k buffer).

    python -m rlkit.bench checkpoint [--buffer 100000] [--repeats 5]

The checkpoint is the trainer's own (agent with its replay buffer, env states, RNG states, run history), written
atomically as during training; the median of ``--repeats`` saves and loads is printed.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import torch

from rlkit.agents import make_agent
from rlkit.checkpoint import load_checkpoint
from rlkit.envs import make_env
from rlkit.loggers.base import Logger
from rlkit.trainer import Trainer, TrainerConfig


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench checkpoint", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buffer", type=int, default=100_000, help="transitions in the (full) replay buffer")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    env = make_env("Pendulum-v1", seed=0)
    agent = make_agent("ddpg", env.single_observation_space, env.single_action_space, torch.device("cpu"),
                       buffer_size=args.buffer, learning_starts=10**9)
    obs = env.obs
    for _ in range(args.buffer):  # fill the buffer with real transitions
        transition, _ = env.step(agent.act(obs))
        obs = env.obs
        agent.observe(transition)
    with tempfile.TemporaryDirectory() as tmp:
        cfg = TrainerConfig(total_steps=args.buffer, eval_every=args.buffer, eval_episodes=1,
                            checkpoint_every=args.buffer, log_every=args.buffer, seed=0)
        trainer = Trainer(env, env, agent, Logger(), Path(tmp), cfg, {"agent": "ddpg", "env": "Pendulum-v1"})
        path = Path(tmp) / "checkpoints" / "last.pt"
        saves, loads = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            trainer.save("last.pt")
            saves.append(time.perf_counter() - start)
            start = time.perf_counter()
            load_checkpoint(path)
            loads.append(time.perf_counter() - start)
        size = path.stat().st_size
    result = {"buffer": len(agent.buffer), "size_mb": size / 2**20, "save_s": statistics.median(saves),
              "load_s": statistics.median(loads)}
    print(f"ddpg Pendulum-v1, buffer {result['buffer']} transitions: checkpoint {result['size_mb']:.1f} MiB, "
          f"save {result['save_s']:.3f} s, load {result['load_s']:.3f} s (median of {args.repeats})")
    return result


if __name__ == "__main__":
    main()
