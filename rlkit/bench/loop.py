"""Training-loop cost: env steps per CPU-second of act → step → observe → update, explicit vs native networks.

    python -m rlkit.bench loop --agent ddpg --env Pendulum-v1 [--steps 1000] [--rounds 5] [--threads 1]

Both agents are built side by side and timed in alternating chunks with ``time.process_time`` (CPU time of
this process), so load from other processes on a shared box affects both alike; the ratio is the result.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rlkit.agents import make_agent
from rlkit.envs import make_env


def time_chunk(agent, env, steps: int) -> float:
    """CPU seconds per env step over ``steps`` env steps of the training loop."""
    obs = env.obs
    start = time.process_time()
    for _ in range(steps // env.num_envs):
        transition, _ = env.step(agent.act(obs))
        obs = env.obs
        agent.observe(transition)
        agent.update()
    return (time.process_time() - start) / steps


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(
        prog="python -m rlkit.bench loop",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--agent", default="ddpg")
    parser.add_argument("--env", default="Pendulum-v1")
    parser.add_argument("--num-envs", type=int, default=1)
    parser.add_argument("--steps", type=int, default=1000, help="env steps per timed chunk")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--warmup", type=int, default=2000, help="untimed env steps first (fills replay buffers)"
    )
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    device = torch.device("cpu")
    runs = {}
    for impl in ("explicit", "native"):
        torch.manual_seed(0)
        env = make_env(args.env, num_envs=args.num_envs, seed=0, device=device)
        agent = make_agent(
            args.agent, env.single_observation_space, env.single_action_space, device, network={"impl": impl}
        )
        time_chunk(agent, env, args.warmup)  # past learning_starts, so every timed step updates
        runs[impl] = (agent, env, [])
    for _ in range(args.rounds):
        for agent, env, times in runs.values():
            times.append(time_chunk(agent, env, args.steps))
    median = {impl: statistics.median(times) for impl, (_, _, times) in runs.items()}
    ratio = median["explicit"] / median["native"]
    print(
        f"{args.agent} on {args.env}, {args.threads} thread(s), median of {args.rounds} chunks of "
        f"{args.steps} env steps (CPU time):"
    )
    for impl, seconds in median.items():
        print(f"  {impl:<8} {seconds * 1e3:7.3f} ms/step  {1 / seconds:7.0f} steps/s")
    print(f"  explicit / native = {ratio:.2f}x")
    return {**median, "ratio": ratio}


if __name__ == "__main__":
    main()
