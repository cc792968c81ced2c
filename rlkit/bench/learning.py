"""Learning benchmark: run the real CLI for several seeds; report score, budget and wall time per seed.

    python -m rlkit.bench learn --agent ddpg --env Pendulum-v1 --seeds 0 1 2 [--threshold -200] [override ...]
    python -m rlkit.bench learn --agent dqn --env MinAtar/Breakout-v1 --seeds 0 1 2 --baseline

``--baseline`` (dqn on a MinAtar game) also runs, right after each seed, the bare PyTorch DQN of
rlkit/bench/bare_dqn_minatar.py for the same seed and step budget, and prints the wall-time ratio rlkit / bare.

Each seed is a separate ``python -m rlkit`` process, timed from launch to exit (start-up included), so the
figures are what a user waits for. Seeds run one after another: parallel runs on a small box would slow each other.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_seed(agent: str, env: str, seed: int, overrides: list[str], out_dir: Path) -> dict:
    run_dir = out_dir / f"{agent}-{env.replace('/', '_')}-s{seed}"
    cmd = [
        sys.executable,
        "-m",
        "rlkit",
        f"agent={agent}",
        f"env={env}",
        f"seed={seed}",
        f"hydra.run.dir={run_dir}",
        "overwrite=true",  # a bench run again into --out replaces its earlier runs
        *overrides,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"seed {seed} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    summary = json.loads((run_dir / "summary.json").read_text())
    return {**summary, "command_wall_s": round(wall, 2), "run_dir": str(run_dir)}


def run_baseline(env: str, seed: int, total_steps: int, out_dir: Path) -> dict:
    """The bare PyTorch DQN for one seed, timed from launch to exit like ``run_seed``."""
    out = out_dir / f"bare-{env.replace('/', '_')}-s{seed}.json"
    cmd = [sys.executable, "-m", "rlkit.bench.bare_dqn_minatar", "--env", env, "--seed", str(seed),
           "--total_steps", str(total_steps), "--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"baseline seed {seed} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return {**json.loads(out.read_text()), "command_wall_s": round(wall, 2)}


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(
        prog="python -m rlkit.bench learn",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--agent", required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--threshold", type=float, default=None, help="eval return a seed must reach")
    parser.add_argument("--out", type=Path, default=None, help="where run dirs go (default: a temp dir)")
    parser.add_argument("--baseline", action="store_true",
                        help="dqn on MinAtar: also time the bare PyTorch DQN (rlkit/bench/bare_dqn_minatar.py)")
    parser.add_argument("overrides", nargs="*", help="extra Hydra overrides, e.g. total_steps=20000")
    args = parser.parse_args(argv)
    if args.baseline and not (args.agent == "dqn" and args.env.startswith("MinAtar/")):
        parser.error("--baseline is the bare DQN on MinAtar: use it with --agent dqn --env MinAtar/<game>")
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="rlkit-bench-"))
    results = []
    print(f"{'seed':>4} {'env steps':>9} {'eval return':>14} {'train s':>8} {'command s':>9} {'steps/s':>8}")
    for seed in args.seeds:
        r = run_seed(args.agent, args.env, seed, args.overrides, out_dir)
        results.append(r)
        print(
            f"{seed:>4} {r['env_steps']:>9} {r['eval_return_mean']:>8.1f} ± {r['eval_return_std']:<5.1f}"
            f"{r['train_wall_s']:>8.1f} {r['command_wall_s']:>9.1f} {r['sps']:>8.0f}",
            flush=True,
        )
        if args.baseline:
            b = run_baseline(args.env, seed, r["env_steps"], out_dir)
            r["baseline"] = b
            print(f"{'bare':>4} {b['env_steps']:>9} {b['eval_return_mean']:>8.1f}{'':8}{b['train_wall_s']:>8.1f} "
                  f"{b['command_wall_s']:>9.1f} {b['env_steps'] / b['train_wall_s']:>8.0f}   "
                  f"rlkit/bare wall {r['command_wall_s'] / b['command_wall_s']:.2f}x", flush=True)
    walls = [r["command_wall_s"] for r in results]
    print(f"{args.agent} on {args.env}: command wall time {min(walls):.1f}–{max(walls):.1f} s per seed")
    if args.threshold is not None:
        passed = [r["seed"] for r in results if r["eval_return_mean"] >= args.threshold]
        print(f"reached {args.threshold}: {len(passed)}/{len(results)} seeds {passed}")
    if args.baseline:
        ours = sum(r["command_wall_s"] for r in results)
        bare = sum(r["baseline"]["command_wall_s"] for r in results)
        print(f"bare PyTorch DQN: command wall time {bare:.1f} s in all, rlkit {ours:.1f} s: "
              f"rlkit/bare = {ours / bare:.2f}x (same run, seeds interleaved)")
    (out_dir / "bench_learn.json").write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
