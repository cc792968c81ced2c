"""Fuzzed configuration: every key of rlkit/schema.py and every agent's options, given typed and hostile values
(wrong types, NaN/inf, huge and negative numbers, empty lists, unicode, very long strings), either runs a few
hundred steps or is refused with exactly one ``rlkit: error:`` line naming the key; never a traceback.

Bounded for CI (about a minute on 2 shared cores): the validation of every key × every value kind, directly;
Hypothesis-drawn commands through the CLI's path in-process (rlkit.bench.fuzz.run_command); the bugs the fuzzer
found, each as a regression case; a few real subprocesses. More examples: ``python -m rlkit.bench fuzz``.
"""

from __future__ import annotations

import copy
import math

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402

from rlkit.agents import AGENTS  # noqa: E402
from rlkit.bench import fuzz  # noqa: E402
from rlkit.errors import ConfigError  # noqa: E402
from rlkit.schema import TOP_KEYS, agent_parameters, validate  # noqa: E402
from tests.conftest import composed  # noqa: E402

HOSTILE = [0, -1, 1, 7, 2**31, 2**63, 10**30, -(10**30), 0.5, -0.5, 1e308, -1e308, math.nan, math.inf, -math.inf,
           True, False, None, [], [0], [64, 64], [-1], [1.5], ["a"], {}, {"a": 1}, "", "auto", "x" * 10_000,
           "ünïcödé ☃", "\x00", "[1,2]", "nan", "cpu", "relu", "mse"]


def set_path(cfg: dict, path: str, value) -> None:
    *heads, last = path.split(".")
    for head in heads:
        cfg = cfg[head]
    cfg[last] = value


@pytest.mark.parametrize(("agent", "env"), fuzz.PAIRS, ids=[f"{a}-{e}" for a, e in fuzz.PAIRS])
def test_validation_accepts_or_refuses_every_value_of_every_key_in_one_line(agent, env):
    base = composed(f"agent={agent}", f"env={env}")
    factory = AGENTS.get(agent)
    paths = [k.path for k in TOP_KEYS if k.path not in ("agent.name",)] + \
        [f"agent.{name}" for name in agent_parameters(factory) or {}]
    checked = 0
    for path in paths:
        for value in HOSTILE:
            cfg = copy.deepcopy(base)
            set_path(cfg, path, copy.deepcopy(value))
            try:
                validate(cfg, factory)
            except ConfigError as exc:
                message = str(exc)
                assert "\n" not in message and path in message, (path, value, message)
            checked += 1
    assert checked == len(paths) * len(HOSTILE)


@settings(max_examples=120, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(fuzz.example_strategy())
def test_fuzzed_commands_run_or_are_refused_in_one_line_naming_the_key(tmp_path_factory, example):
    key, kind, overrides = fuzz.command_for(example)
    run_dir = tmp_path_factory.mktemp("fuzz") / "run"
    with fuzz.limits():
        outcome = fuzz.run_command(overrides, run_dir)
    assert fuzz.acceptable(outcome, key), (kind, overrides, outcome)


DQN, DDPG, AC = ("agent=dqn", "env=CartPole-v1"), ("agent=ddpg", "env=Pendulum-v1"), ("agent=ac", "env=Pendulum-v1")
# Every traceback the fuzzer found, as (overrides, the key its one line must name).
FOUND = [
    ((*DQN, "seed=99999999999999"), "seed"),  # NumPy's seed range
    ((*DQN, "num_envs=2147483647"), "num_envs"),  # MemoryError building two billion envs
    ((*DQN, "eval.episodes=9007199254740993"), "eval.episodes"),
    ((*DQN, "threads=9223372036854775807"), "threads"),  # torch.set_num_threads overflow
    ((*AC[:1], "env=CartPole-v1", "network.hidden=[26906,82852724,26906]"), "network.hidden"),  # the allocator
    ((*AC[:1], "env=CartPole-v1", "network.hidden=[26906,26906,26906]"), "network.hidden"),  # Adam's moments
    ((*DQN, "agent.buffer_size=1000000000000000000000000000000"), "agent.buffer_size"),
    ((*DDPG, "logger=0"), "logger"),  # Hydra: "Config group override must be a string or a list. Got int"
    ((*DDPG, "logger=[1025]"), "logger"),  # Hydra: "argument of type 'int' is not iterable"
    ((*DDPG, "logger=null"), "logger"),
    (("agent=ddpg", "env=[a,b]"), "env"),  # Hydra: "Error resolving interpolation '${agent}/${env}'"
    ((*AC, "agent.log_std_init=-1e+308"), "agent.log_std_init"),  # torch.full overflow
    ((*DQN, "resume='" + "x" * 400 + "'"), "resume"),  # File name too long, reported as hydra.run.dir
    ((*DDPG, "log_every='m½§V7O\n½µ['"), "log_every"),  # a newline in the value broke the one error line
]


@pytest.mark.parametrize(("overrides", "key"), FOUND, ids=[o[-1][:40] for o, _ in FOUND])
def test_what_the_fuzzer_found_is_one_line_naming_the_key(tmp_path, overrides, key):
    base = fuzz.base_overrides(overrides[0].split("=")[1], overrides[1].split("=")[1], overrides[-1].split("=")[0])
    with fuzz.limits():
        outcome = fuzz.run_command([*overrides[:2], *base[2:], *overrides[2:]], tmp_path / "run")
    assert outcome.code == 2 and fuzz.names_key(outcome.line, key), outcome
    assert fuzz.acceptable(outcome, key), outcome


@pytest.mark.parametrize("override", ["seed=99999999999999", "agent.gamma=nan", "network.hidden=[]", "logger=0",
                                      "log_every='a\nb'",
                                      "env.id='ünïcödé'", "agent.buffer_size=100000000000000000000"])
def test_fuzzed_commands_from_the_command_line(tmp_path, override):
    key = override.split("=")[0]
    outcome = fuzz.run_cli([*fuzz.base_overrides("dqn", "CartPole-v1", key), override], tmp_path / "run")
    assert fuzz.acceptable(outcome, key), outcome
