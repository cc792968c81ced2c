"""``python -m rlkit.bench <suite> ...``: benchmarks that print ratios or scores measured in one run."""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "nn": ("rlkit.bench.nn", "explicit vs native layers, forward+backward time ratio"),
    "learn": ("rlkit.bench.learning", "fixed-seed learning runs through the CLI: score and wall time"),
    "loop": ("rlkit.bench.loop", "training-loop cost per env step: explicit vs native networks, as a ratio"),
    "train": ("rlkit.bench.train", "updates/s, env steps/s: explicit|native × eager|compiled|cudagraphs × devices"),
    "td3": ("rlkit.bench.bare_td3", "td3's env steps/s on HalfCheetah against a bare PyTorch TD3 loop, as a ratio"),
    "checkpoint": ("rlkit.bench.checkpoint", "size and save/load time of a full resume checkpoint (100k DDPG)"),
    "fuzz": ("rlkit.bench.fuzz", "fuzzed overrides of every config key: each runs or is refused in one line"),
    "acvar": ("rlkit.bench.ac_variance", "spread of the actor-critic's actor-gradient estimates: q vs q − b vs y − b"),
    "random": ("rlkit.bench.random_policy", "a uniformly random policy's score per env: the floor a curve is read on"),
    "zoo": ("rlkit.bench.zoo", "a seed sweep of every preset (resume=auto), then one rlkit.report over them"),
}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in SUITES:
        listing = "\n".join(f"  {name:<10} {doc}" for name, (_, doc) in SUITES.items())
        print(f"usage: python -m rlkit.bench <suite> [options]\nsuites:\n{listing}", file=sys.stderr)
        raise SystemExit(2)
    module, _ = SUITES[argv[0]]
    importlib.import_module(module).main(argv[1:])


if __name__ == "__main__":
    main()
