"""The zoo benchmark: a seed sweep of every tuned preset, then one report over them all (agents_zoo/README.md).

    python -m rlkit.bench zoo [--seeds 0 1 2 3 4] [--out multirun/zoo] [--only dqn/ ...] [--skip ALE/ ...]
                              [--list] [override ...]

Each preset ``agents_zoo/<agent>/<env>.yaml`` and each named variant ``<agent>/<env>/NAME.yaml`` (run with
``preset=NAME``; search spaces and family presets excluded) is one multirun on Hydra's basic launcher, one run
at a time, into ``<out>/<agent>-<env>`` (``/`` in the env id becomes ``-``; a variant's ends in ``-NAME``), with
``resume=auto``: the same command run again continues where a stop left off (finished runs are skipped,
interrupted ones continue from their checkpoint, docs/pages/resuming.md). Then ``rlkit.report`` over every sweep
folder writes ``<out>/report/`` (report.md, report.json, one plot per preset); runs not finished are listed as
such. ``--only`` / ``--skip`` keep or drop the presets whose ``<agent>/<env>[ preset=NAME]`` contains any of the
given texts; ``--list`` prints the commands without running them; overrides after the options go to every run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

# the bars the issues set where gymnasium's registry has no reward_threshold (the report uses it for the rest)
THRESHOLDS = {"Pendulum-v1": -200.0, "MinAtar/Breakout-v1": 7.0}


def zoo_folder() -> Path:
    from rlkit.presets import zoo_dir

    return zoo_dir()


def presets(zoo: Path) -> list[tuple[str, str, str]]:
    """(agent, env id, variant) of every preset file, sorted: ``default`` for ``<agent>/<env>.yaml``, NAME for a
    variant ``<agent>/<env>/NAME.yaml``. Search spaces are not presets; a family preset (``<ns>/_family.yaml``)
    names no env to run, so it is left out (rlkit/presets.py)."""
    from rlkit.presets import all_presets

    return [(agent, env, variant) for agent, env, variant in all_presets(zoo) if not env.endswith("/*")]


def label(agent: str, env: str, variant: str) -> str:
    return f"{agent}/{env}" + ("" if variant == "default" else f" preset={variant}")


def sweep_command(agent: str, env: str, seeds: list[int], sweep_dir: Path, overrides: list[str],
                  variant: str = "default") -> list[str]:
    return [sys.executable, "-m", "rlkit", "-m", f"agent={agent}", f"env={env}",
            *([] if variant == "default" else [f"preset={variant}"]),
            "seed=" + ",".join(str(s) for s in seeds), f"hydra.sweep.dir={sweep_dir}", "resume=auto", *overrides]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench zoo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--out", type=Path, default=Path("multirun/zoo"), help="where the sweeps and report go")
    parser.add_argument("--only", nargs="+", default=[], help="keep presets whose <agent>/<env> contains one")
    parser.add_argument("--skip", nargs="+", default=[], help="drop presets whose <agent>/<env> contains one")
    parser.add_argument("--list", action="store_true", help="print the sweep commands, run nothing")
    parser.add_argument("overrides", nargs="*", help="Hydra overrides for every run, e.g. eval.episodes=5")
    args = parser.parse_args(argv)
    chosen = [(agent, env, variant) for agent, env, variant in presets(zoo_folder())
              if (not args.only or any(text in label(agent, env, variant) for text in args.only))
              and not any(text in label(agent, env, variant) for text in args.skip)]
    if not chosen:
        parser.error(f"no preset matches --only {' '.join(args.only)} --skip {' '.join(args.skip)}")
    sweeps = {(agent, env, variant): args.out / (f"{agent}-{env.replace('/', '-')}"
                                                 + ("" if variant == "default" else f"-{variant}"))
              for agent, env, variant in chosen}
    failed = []
    for (agent, env, variant), sweep_dir in sweeps.items():
        command = sweep_command(agent, env, args.seeds, sweep_dir, args.overrides, variant)
        print("python " + " ".join(command[1:]) if args.list else f"== {label(agent, env, variant)}: {sweep_dir}",
              flush=True)
        if not args.list and subprocess.run(command).returncode != 0:
            failed.append(label(agent, env, variant))
    if args.list:
        return
    from rlkit.report import main as report

    swept = [str(d) for d in sweeps.values() if d.is_dir()]
    if swept:
        bars = [f"--threshold={env}={value:g}" for env, value in THRESHOLDS.items()]
        report([*swept, "--out", str(args.out / "report"), *bars])
    if failed:
        raise SystemExit(f"rlkit.bench zoo: sweeps that did not finish: {', '.join(failed)}")


if __name__ == "__main__":
    main()
