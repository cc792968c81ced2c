"""Fuzzed configuration: overrides for every key of rlkit/schema.py and every agent's options, drawn by Hypothesis
from typed and hostile values; each command must run a few hundred steps or be refused in one ``rlkit: error:``
line naming the key, never a traceback.

    python -m rlkit.bench fuzz [--examples 500] [--seed 0] [--cli 5]

Each example is one command: a short base run (a few hundred steps) of one agent + env with one key overridden.
It runs in-process through the CLI's own path (``run_command``: the command-line checks, Hydra's composition and
its error lines, ``rlkit.run.train``); ``--cli N`` also runs N drawn examples as real ``python -m rlkit``
subprocesses. Prints the outcomes by key kind and value kind, and every failure with its command.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# (agent, env) pairs fuzzed, and the base overrides that make a run a few hundred steps.
PAIRS = (("dqn", "CartPole-v1"), ("reinforce", "CartPole-v1"), ("ac", "CartPole-v1"), ("ac", "Pendulum-v1"),
         ("ddpg", "Pendulum-v1"))
BASE = {"total_steps": 300, "eval.every": 300, "eval.episodes": 1, "checkpoint.every": 300, "log_every": 100,
        "threads": 1, "device": "cpu"}
BASE_AGENT = {"dqn": {"learning_starts": 100}, "ddpg": {"learning_starts": 100}}
RUN_CAP = 300  # a valid total_steps larger than this is validated as given, then run for RUN_CAP steps
# compile=true, cudagraphs=true and eval.video=true are validated, not run: each costs tens of seconds (compiling,
# encoding), and tests/test_compile.py and tests/test_use.py run them.
TIME_LIMIT_S = 20.0  # an example still training after this long counts as running (e.g. gradient_steps=2**31)
MEMORY_LIMIT = 16 * 2**30  # address space of the fuzzing process: a huge allocation fails instead of swapping


@dataclass
class Outcome:
    code: int  # 0 ran, 1 stopped by a run-time check, 2 refused; -1 a traceback (a bug)
    line: str  # the error line, or the traceback's last lines
    seconds: float = 0.0

    @property
    def kind(self) -> str:
        return {0: "ran", 1: "run-time stop", 2: "refused"}.get(self.code, "TRACEBACK")


def keys() -> list[tuple[str, str, str]]:
    """(agent, env, key) for every key of the schema and every option of each agent."""
    from rlkit.agents import AGENTS
    from rlkit.schema import TOP_KEYS, agent_parameters

    found = []
    for agent, env in PAIRS:
        found += [(agent, env, key.path) for key in TOP_KEYS]
        params = agent_parameters(AGENTS.get(agent)) or {}
        found += [(agent, env, f"agent.{name}") for name in params]
    found += [(agent, env, "++env.kwargs.g") for agent, env in PAIRS if env == "Pendulum-v1"]
    return found


def render(value: Any, quote: bool = True) -> str:
    """A value as Hydra's override grammar writes it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ",".join(render(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{render(v)}" for k, v in value.items()) + "}"
    text = str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'" if quote else text


def base_overrides(agent: str, env: str, key: str) -> list[str]:
    """The short run, less whatever ``key`` overrides."""
    bare = key.lstrip("+")
    base = {**BASE, **{f"agent.{k}": v for k, v in BASE_AGENT.get(agent, {}).items()}}
    return [f"agent={agent}", f"env={env}", *(f"{k}={render(v)}" for k, v in base.items() if k != bare)]


class TimeUp(KeyboardInterrupt):
    """Raised by the alarm in a run that is still training after TIME_LIMIT_S: it ran; the trainer saves and stops."""


@contextlib.contextmanager
def limits() -> Iterator[None]:
    """One thread (as the tests), a bounded address space, and torch's thread count put back afterwards."""
    import torch

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        torch.set_num_threads(1)


def run_command(overrides: list[str], run_dir: Path) -> Outcome:
    """What ``python -m rlkit <overrides> hydra.run.dir=<run_dir>`` does, in-process: the exit code and error line.

    The CLI's own steps in order: the raw ``resume=`` check, Hydra's composition (its errors through
    rlkit.hydra_errors), then rlkit.run.train."""
    import torch

    from rlkit.api import compose
    from rlkit.config import check_groups
    from rlkit.errors import ConfigError, RunError, error_line
    from rlkit.hydra_errors import describe
    from rlkit.resume import check_command_line
    from rlkit.run import train
    from rlkit.schema import validate

    start = time.perf_counter()
    agent = next(o.split("=", 1)[1] for o in overrides if o.startswith("agent="))
    env = next(o.split("=", 1)[1] for o in overrides if o.startswith("env="))
    rest = [o for o in overrides if not o.startswith(("agent=", "env="))]
    try:
        try:
            check_groups(overrides)
            check_command_line(overrides)
            config, _ = compose(agent, env, [*rest, f"hydra.run.dir={run_dir}"])
        except ConfigError as exc:
            return Outcome(2, error_line(exc), time.perf_counter() - start)
        except Exception as exc:  # noqa: BLE001 - what the CLI's main turns into one line
            return Outcome(2, error_line(describe(exc, overrides)), time.perf_counter() - start)
        evaluation = config.get("eval") if isinstance(config.get("eval"), dict) else {}
        not_run = config.get("compile") is True or config.get("cudagraphs") is True or evaluation.get("video") is True
        steps = config.get("total_steps")
        if not_run or (isinstance(steps, int) and steps > RUN_CAP):
            from rlkit.agents import AGENTS

            validate(config, AGENTS.get(str(config["agent"]["name"])))  # the real value refused or accepted
            if not_run:
                return Outcome(0, "validated (not run)", time.perf_counter() - start)
            config["total_steps"] = RUN_CAP
        signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeUp()))
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                train(config, run_dir)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return Outcome(0, "", time.perf_counter() - start)
    except ConfigError as exc:
        return Outcome(2, error_line(exc), time.perf_counter() - start)
    except RunError as exc:
        return Outcome(1, error_line(exc), time.perf_counter() - start)
    except TimeUp:
        return Outcome(0, f"still training after {TIME_LIMIT_S:.0f} s", time.perf_counter() - start)
    except Exception:  # noqa: BLE001 - the bug being hunted
        lines = traceback.format_exc().strip().splitlines()
        return Outcome(-1, " | ".join(lines[-3:]), time.perf_counter() - start)
    finally:
        torch.set_num_threads(1)


def run_cli(overrides: list[str], run_dir: Path, timeout: float = 300) -> Outcome:
    """The same command as a real ``python -m rlkit`` subprocess."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "rlkit", *overrides, f"hydra.run.dir={run_dir}"],
                              capture_output=True, text=True, timeout=timeout, cwd=run_dir.parent)
    except subprocess.TimeoutExpired:
        return Outcome(0, f"still training after {timeout:.0f} s", time.perf_counter() - start)
    err = proc.stderr.strip()
    if proc.returncode == 0:
        return Outcome(0, "", time.perf_counter() - start)
    lines = err.splitlines()
    if proc.returncode in (1, 2) and len(lines) == 1 and "Traceback" not in err:
        return Outcome(proc.returncode, lines[0], time.perf_counter() - start)
    return Outcome(-1, " | ".join(lines[-3:]), time.perf_counter() - start)


def names_key(line: str, key: str) -> bool:
    """The error line names the key (a config group by its group name: agent=, env=, logger=)."""
    bare = key.lstrip("+")
    group = {"agent.name": "agent", "env.id": "env"}.get(bare)
    return bare in line or (group is not None and f"{group}=" in line)


def acceptable(outcome: Outcome, key: str) -> bool:
    """Ran, stopped at run time by one of rlkit's one-line checks, or refused in one line naming the key."""
    if outcome.code in (0, 1):
        return outcome.code == 0 or (outcome.line.startswith("rlkit: error: ") and "\n" not in outcome.line)
    if outcome.code == 2:
        return outcome.line.startswith("rlkit: error: ") and "\n" not in outcome.line and names_key(outcome.line, key)
    return False


# --- the values: typed and hostile --------------------------------------------------------------------------
HUGE = (2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**64, 10**30, 99999999999999)


def value_strategy():
    """(kind, value) pairs: every kind of value a user or a script might pass."""
    from hypothesis import strategies as st

    text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)
    return st.one_of(
        st.tuples(st.just("small int"), st.integers(-3, 1000)),
        st.tuples(st.just("huge int"), st.sampled_from(HUGE)),
        st.tuples(st.just("negative huge int"), st.sampled_from(HUGE).map(lambda v: -v)),
        st.tuples(st.just("float"), st.floats(-2.0, 2.0, allow_nan=False)),
        st.tuples(st.just("huge float"), st.sampled_from((1e308, -1e308, 1e-320, 1e20, 3.4e38))),
        st.tuples(st.just("nan/inf"), st.sampled_from((math.nan, math.inf, -math.inf))),
        st.tuples(st.just("bool"), st.booleans()),
        st.tuples(st.just("null"), st.none()),
        st.tuples(st.just("empty list"), st.just([])),
        st.tuples(st.just("list"), st.lists(st.one_of(st.integers(-2, 2**40), st.floats(allow_nan=True),
                                                      st.text(max_size=3)), min_size=1, max_size=3)),
        st.tuples(st.just("mapping"), st.dictionaries(st.sampled_from("abc"), st.integers(), max_size=2)),
        st.tuples(st.just("word"), st.sampled_from(("auto", "cpu", "cuda", "none", "true", "mse", "q", "gaussian",
                                                    "CartPole-v1", "dqn", "relu", "final", ".", "/", "~"))),
        st.tuples(st.just("unicode"), text),
        st.tuples(st.just("long string"), st.integers(300, 10_000).map(lambda n: "x" * n)),
        st.tuples(st.just("empty string"), st.just("")),
    )


def example_strategy():
    from hypothesis import strategies as st

    return st.tuples(st.sampled_from(keys()), value_strategy())


def command_for(example) -> tuple[str, str, list[str]]:
    (agent, env, key), (kind, value) = example
    return key, kind, [*base_overrides(agent, env, key), f"{key}={render(value)}"]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", type=int, default=5, help="drawn examples also run as subprocesses")
    args = parser.parse_args(argv)
    try:
        from hypothesis import HealthCheck, given, seed, settings
    except ImportError:
        raise SystemExit("rlkit: error: the fuzz bench needs hypothesis: pip install hypothesis") from None
    import torch

    torch.set_num_threads(1)
    tally: Counter = Counter()
    failures: list[tuple[list[str], Outcome]] = []
    stops: list[tuple[list[str], Outcome]] = []  # exit 1: a run-time check stopped a valid run (e.g. a NaN loss)
    drawn: list[list[str]] = []
    root = Path(tempfile.mkdtemp(prefix="rlkit-fuzz-"))
    start = time.perf_counter()

    @seed(args.seed)
    @settings(max_examples=args.examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(example_strategy())
    def one(example) -> None:
        key, kind, overrides = command_for(example)
        run_dir = root / f"run{len(drawn)}"
        drawn.append(overrides)
        with limits():
            outcome = run_command(overrides, run_dir)
        shutil.rmtree(run_dir, ignore_errors=True)
        ok = acceptable(outcome, key)
        tally[(kind, outcome.kind if ok else "FAIL")] += 1
        if not ok:
            failures.append((overrides, outcome))
        elif outcome.code == 1:
            stops.append((overrides, outcome))

    one()
    for overrides in drawn[:: max(1, len(drawn) // max(args.cli, 1))][: args.cli]:
        key = overrides[-1].split("=", 1)[0]
        run_dir = root / f"cli{len(failures)}-{abs(hash(tuple(overrides)))}"
        outcome = run_cli(overrides, run_dir)
        ok = acceptable(outcome, key)
        tally[("(subprocess)", outcome.kind if ok else "FAIL")] += 1
        if not ok:
            failures.append((overrides, outcome))
    shutil.rmtree(root, ignore_errors=True)
    kinds = sorted({k for k, _ in tally})
    outcomes = sorted({o for _, o in tally})
    print(f"{len(drawn)} in-process examples + {min(args.cli, len(drawn))} subprocesses, {len(keys())} (agent, key) "
          f"pairs, {time.perf_counter() - start:.0f} s")
    print(f"{'value kind':<20}" + "".join(f"{o:>15}" for o in outcomes))
    for kind in kinds:
        print(f"{kind:<20}" + "".join(f"{tally[(kind, o)]:>15}" for o in outcomes))
    for overrides, outcome in stops:
        print(f"exit 1 {overrides[-1][:200]}\n     {outcome.line[:300]}")
    for overrides, outcome in failures:
        print(f"FAIL {' '.join(overrides)}\n     {outcome.line[:500]}")
    return {"examples": len(drawn), "failures": len(failures), "tally": dict(tally)}


if __name__ == "__main__":
    main()
