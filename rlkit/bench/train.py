"""Training throughput: updates/s and env steps/s, explicit vs native layers × eager vs compiled (× CUDA graphs on
CUDA) × CPU vs CUDA, for ddpg Pendulum, dqn CartPole and dqn MinAtar (when the [minatar] extra is installed);
reinforce and ac (CartPole, 8 envs as in their presets) on request, env steps/s only: their updates learn from
on-policy rollouts, not from a replay buffer.

    python -m rlkit.bench train [--cases ddpg dqn dqn-minatar] [--devices cpu cuda] [--json out.json]

Every row builds the agent with its agents_zoo preset, fills the replay buffer past ``learning_starts``, warms the
compiled graphs up (compile time is reported apart, not in the rates), then times ``update_once`` on replayed
minibatches (updates/s) and the whole act → step → observe → update loop (env steps/s). CPU rows use this
process's CPU time, so other load on a shared box affects every row alike; CUDA rows use wall time with a device
synchronisation. Ratios are against the explicit-eager row of the same case and device, measured in this run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import statistics
import time

import torch

from rlkit.agents import make_agent
from rlkit.bench.loop import preset, time_chunk
from rlkit.envs import make_env

CASES = {"ddpg": ("ddpg", "Pendulum-v1"), "dqn": ("dqn", "CartPole-v1"), "dqn-minatar": ("dqn", "MinAtar/Breakout-v1"),
         "reinforce": ("reinforce", "CartPole-v1"), "ac": ("ac", "CartPole-v1")}
DEFAULT_CASES = ["ddpg", "dqn", "dqn-minatar"]


def clock(device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        return time.perf_counter()
    return time.process_time()


def updates_per_s(agent, device: torch.device, iters: int) -> float:
    batches = [agent.buffer.sample(agent.batch_size) for _ in range(iters)]
    start = clock(device)
    for batch in batches:
        agent.update_once(batch)
    return iters / (clock(device) - start)


def steps_per_s(agent, env, device: torch.device, steps: int) -> float:
    start = clock(device)
    time_chunk(agent, env, steps)
    return steps / (clock(device) - start)


def measure(case: str, device: torch.device, impl: str, mode: str, args: argparse.Namespace) -> dict:
    agent_name, env_id = CASES[case]
    agent_kwargs, network = preset(agent_name, env_id)
    torch.manual_seed(0)
    env = make_env(env_id, num_envs=args.num_envs if agent_name in ("reinforce", "ac") else 1, seed=0,
                   device=device)
    agent = make_agent(agent_name, env.single_observation_space, env.single_action_space, device,
                       network={**network, "impl": impl}, **agent_kwargs)
    replay = hasattr(agent, "buffer")
    if replay:
        agent.train_freq = 1  # every timed env step runs one update: the loop rate then reflects the update's cost
        agent.gradient_steps = 1
        time_chunk(agent, env, agent.learning_starts + agent.batch_size)
    compile_s = 0.0
    if mode != "eager":
        agent.compile(mode="reduce-overhead" if mode == "cudagraphs" else None)
        start = time.perf_counter()
        if replay:
            updates_per_s(agent, device, 3)  # first calls compile (and capture)
        else:
            time_chunk(agent, env, args.steps)
        compile_s = time.perf_counter() - start
    ups = statistics.median(updates_per_s(agent, device, args.updates) for _ in range(args.rounds)) if replay \
        else float("nan")
    sps = statistics.median(steps_per_s(agent, env, device, args.steps) for _ in range(args.rounds))
    env.close()
    return {"case": case, "env": env_id, "device": device.type, "impl": impl, "mode": mode,
            "updates_per_s": ups, "env_steps_per_s": sps, "compile_s": compile_s}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", default=DEFAULT_CASES, choices=list(CASES))
    parser.add_argument("--num-envs", type=int, default=8, help="vector envs for reinforce and ac (their presets')")
    parser.add_argument("--devices", nargs="+", default=["cpu", "cuda"], help="cuda rows only where CUDA is present")
    parser.add_argument("--updates", type=int, default=200, help="updates per timed round")
    parser.add_argument("--steps", type=int, default=500, help="env steps per timed round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    devices = [torch.device(d) for d in args.devices if d != "cuda" or torch.cuda.is_available()]
    cases = [c for c in args.cases if c != "dqn-minatar" or importlib.util.find_spec("minatar")]
    rows = []
    print(f"{'case':<12} {'device':<6} {'impl':<9} {'mode':<11} {'updates/s':>10} {'×':>6} {'steps/s':>9} {'×':>6} "
          f"{'compile s':>9}")
    for case in cases:
        for device in devices:
            modes = ["eager", "compiled"] + (["cudagraphs"] if device.type == "cuda" else [])
            base = None
            for impl in ("explicit", "native"):
                for mode in modes:
                    row = measure(case, device, impl, mode, args)
                    base = base or row
                    row["updates_ratio"] = row["updates_per_s"] / base["updates_per_s"]
                    row["steps_ratio"] = row["env_steps_per_s"] / base["env_steps_per_s"]
                    rows.append(row)
                    ups = "—" if math.isnan(row["updates_per_s"]) else f"{row['updates_per_s']:.0f}"
                    up_ratio = "—" if math.isnan(row["updates_ratio"]) else f"{row['updates_ratio']:.2f}"
                    print(f"{case:<12} {row['device']:<6} {impl:<9} {mode:<11} {ups:>10} {up_ratio:>6} "
                          f"{row['env_steps_per_s']:>9.0f} {row['steps_ratio']:>6.2f} {row['compile_s']:>9.1f}",
                          flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return rows


if __name__ == "__main__":
    main()
