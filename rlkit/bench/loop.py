"""Training-loop cost: env steps per CPU-second of act → step → observe → update, explicit vs native networks.

    python -m rlkit.bench loop --agent ddpg --env Pendulum-v1 [--steps 1000] [--rounds 5] [--threads 1]
    python -m rlkit.bench loop --agent dqn --env MinAtar/Breakout-v1 --preset

Both agents are built side by side and timed in alternating chunks with ``time.process_time`` (CPU time of
this process), so load from other processes on a shared box affects both alike; the ratio is the result.
``--preset`` builds the agents with the ``agent:`` and ``network:`` values of agents_zoo/<agent>/<env>.yaml.
Off-policy agents also get the update alone timed (``update_once`` on a replayed minibatch, both agents on
the same minibatches): the explicit/native ratio of the whole gradient step.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch
import yaml

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


def preset(agent: str, env: str) -> tuple[dict, dict]:
    """The ``agent:`` and ``network:`` sections of the agent's preset for ``env`` (empty when there is none)."""
    path = Path(__file__).resolve().parents[2] / "agents_zoo" / agent / f"{env}.yaml"
    cfg = yaml.safe_load(path.read_text()) if path.exists() else {}
    return dict(cfg.get("agent") or {}), dict(cfg.get("network") or {})


def time_updates(agent, iters: int) -> float:
    """CPU seconds per ``update_once`` on minibatches replayed from the agent's buffer."""
    batches = [agent.buffer.sample(agent.batch_size) for _ in range(iters)]
    start = time.process_time()
    for batch in batches:
        agent.update_once(batch)
    return (time.process_time() - start) / iters


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
    parser.add_argument("--preset", action="store_true", help="agent and network values of the agents_zoo preset")
    args = parser.parse_args(argv)
    agent_kwargs, network = preset(args.agent, args.env) if args.preset else ({}, {})
    torch.set_num_threads(args.threads)
    device = torch.device("cpu")
    runs = {}
    for impl in ("explicit", "native"):
        torch.manual_seed(0)
        env = make_env(args.env, num_envs=args.num_envs, seed=0, device=device)
        agent = make_agent(args.agent, env.single_observation_space, env.single_action_space, device,
                           network={**network, "impl": impl}, **agent_kwargs)
        if hasattr(agent, "learning_starts"):  # every timed step past the start of learning
            args.warmup = max(args.warmup, agent.learning_starts + agent.batch_size)
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
    result = {**median, "ratio": ratio}
    if all(hasattr(agent, "buffer") for agent, _, _ in runs.values()):  # off-policy: minibatches to replay
        updates: dict[str, list[float]] = {impl: [] for impl in runs}
        for _ in range(args.rounds):
            for impl, (agent, _, _) in runs.items():
                torch.manual_seed(1)  # the same minibatches for both
                updates[impl].append(time_updates(agent, 200))
        update = {impl: statistics.median(t) for impl, t in updates.items()}
        result["update_ratio"] = update["explicit"] / update["native"]
        print(f"  update alone (update_once, batch {runs['explicit'][0].batch_size}): explicit "
              f"{update['explicit'] * 1e3:.3f} ms, native {update['native'] * 1e3:.3f} ms, "
              f"explicit / native = {result['update_ratio']:.2f}x")
    return result


if __name__ == "__main__":
    main()
