"""``python -m rlkit.bench random ENV [ENV ...]``: the score of a uniformly random policy, the floor a curve is read on.

Each env is made as a run's evaluation env is: the CLI composes its env config (``conf/env/<id>.yaml``'s kwargs,
time limit and preprocessing where that file exists, else gymnasium's defaults) and ``make_run_env`` builds it
(whole games, unclipped rewards). Actions are drawn from the action space, seeded, so a figure is reproduced
exactly by the same command.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import torch

from rlkit.api import compose
from rlkit.rundir import make_run_env


def run_config(env_id: str) -> dict[str, Any]:
    """The config ``python -m rlkit env=<env_id> preset=none`` composes: conf/env alone decides the env (no agent
    conf sets env keys, so the agent named here is only there to compose)."""
    return compose("dqn", env_id, ["preset=none"])[0]


def random_returns(env_id: str, episodes: int, seed: int = 0) -> list[float]:
    """Undiscounted returns of ``episodes`` whole episodes of uniformly random actions on ``env_id``."""
    env = make_run_env(run_config(env_id), num_envs=1, seed=seed)
    space = env.single_action_space
    space.seed(seed)
    returns: list[float] = []
    try:
        while len(returns) < episodes:
            action = torch.as_tensor(space.sample()).unsqueeze(0)
            _, finished = env.step(action)
            returns.extend(ret for ret, _ in finished)
    finally:
        env.close()
    return returns


def summary(returns: list[float]) -> tuple[float, float]:
    """Mean and (population) standard deviation."""
    mean = sum(returns) / len(returns)
    return mean, math.sqrt(sum((r - mean) ** 2 for r in returns) / len(returns))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench random", description=__doc__.splitlines()[0])
    parser.add_argument("envs", nargs="+", metavar="ENV", help="env ids, e.g. MinAtar/Breakout-v1 CartPole-v1")
    parser.add_argument("--episodes", type=int, default=100, help="whole episodes per env (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the env and the action sampler (default 0)")
    args = parser.parse_args(argv)
    if args.episodes < 1:
        parser.error(f"--episodes={args.episodes}: a positive number of episodes, e.g. 100")
    print(f"| env | random policy ({args.episodes} episodes, seed {args.seed}) |\n|---|---:|")
    for env_id in args.envs:
        mean, std = summary(random_returns(env_id, args.episodes, args.seed))
        print(f"| {env_id} | {mean:.2f} ± {std:.2f} |", flush=True)


if __name__ == "__main__":
    main()
