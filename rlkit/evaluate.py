"""``python -m rlkit.evaluate RUN_DIR``: play a trained agent's deterministic policy and report its return.

    python -m rlkit.evaluate RUN_DIR [--checkpoint best|last|PATH] [--episodes N] [--video] [--device D] [--seed S]

Rebuilds env and agent from the run's own ``.hydra/config.yaml`` (its env kwargs, time limit, network and
plugins), loads the checkpoint (best by default), plays N episodes side by side, prints ``mean ± std over N
episodes`` and writes ``eval.json`` into the run dir. ``--video`` films the first episode(s) into ``videos/``.
The default seed is the one training evaluated with, so ``--checkpoint last`` of a finished run reproduces its
final evaluation.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rlkit.checkpoint import RunDirLock, holder_text, write_text
from rlkit.device import pick_device
from rlkit.errors import ConfigError, exit_on_error
from rlkit.rundir import Restored, make_run_env, restore
from rlkit.schema import MAX_SEED, SEED
from rlkit.seeding import evaluation_seed
from rlkit.trainer import evaluate


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m rlkit.evaluate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="a run dir written by python -m rlkit")
    parser.add_argument("--checkpoint", default="best", help="best (default), last, or a checkpoint file")
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--video", nargs="?", type=int, const=1, default=0, metavar="N",
                        help="film the first N episodes (default 1) into RUN_DIR/videos/ (pip install 'rlkit[video]')")
    parser.add_argument("--device", default="cpu", help="cpu (default), cuda, cuda:N or auto")
    parser.add_argument("--seed", type=int, default=None, help="default: the training run's evaluation seed")
    return parser.parse_args(argv)


@exit_on_error
def main(argv: list[str] | None = None) -> dict:
    args = parse(argv)
    if args.episodes < 1:
        raise ConfigError(f"--episodes={args.episodes}: a positive integer")
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise ConfigError(f"--seed={args.seed}: {SEED.accepts}")
    restored = restore(args.run_dir, args.checkpoint, pick_device(args.device))
    config = restored.config
    run_dir = args.run_dir if args.run_dir.is_dir() else restored.checkpoint.resolve().parent.parent
    seed = evaluation_seed(int(config["seed"])) if args.seed is None else args.seed
    lock = RunDirLock(run_dir)
    if args.video:  # it writes into the run dir: not while a training run holds it, refused before any work
        from rlkit.video import check_video_support

        check_video_support(config)

        def busy(pid: int | None) -> str:
            return (f"{run_dir}: in use by a training run ({holder_text(pid)}); --video writes into its run dir, "
                    "so wait for it to end (evaluating without --video is allowed)")

        lock.acquire(busy)
    with lock:
        return play(args, restored, run_dir, seed)


def play(args: argparse.Namespace, restored: Restored, run_dir: Path, seed: int) -> dict:
    """Evaluate, film (``--video``), write eval.json and print the result line."""
    agent, config = restored.agent, restored.config
    env = make_run_env(config, num_envs=args.episodes, seed=seed, device=agent.device)
    try:
        returns = evaluate(agent, env, args.episodes, seed)
    finally:
        env.close()
    videos = []
    if args.video:
        from rlkit.video import record_episodes

        videos = record_episodes(agent, config, run_dir / "videos", args.video, seed,
                                 name_prefix=f"eval-{restored.checkpoint.stem}")
    result = {
        "return_mean": float(returns.mean()),
        "return_std": float(returns.std()),
        "episodes": args.episodes,
        "returns": [float(r) for r in returns],
        "checkpoint": str(restored.checkpoint),
        "checkpoint_env_step": int(restored.state["progress"]["env_steps"]) if "progress" in restored.state else None,
        "seed": seed,
        "videos": [str(v) for v in videos],
    }
    write_text(run_dir / "eval.json", json.dumps(result, indent=2) + "\n")
    print(f"{config['agent']['name']} on {config['env']['id']} ({restored.checkpoint.name}): "
          f"{result['return_mean']:.1f} ± {result['return_std']:.1f} over {args.episodes} episodes")
    for video in videos:
        print(f"video: {video}")
    return result


if __name__ == "__main__":
    main()
