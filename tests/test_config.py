"""Hydra composition: presets from agents_zoo apply automatically, the command line wins, defaults otherwise."""

from __future__ import annotations

import pytest

from rlkit.config import check_groups, expand_env_globs, known_env_ids, slug
from rlkit.errors import ConfigError
from tests.conftest import composed


def test_default_run_is_ddpg_on_pendulum_with_its_preset():
    cfg = composed()
    assert cfg["agent"]["name"] == "ddpg"
    assert cfg["env"]["id"] == "Pendulum-v1"
    assert cfg["agent"]["train_freq"] == 2  # from agents_zoo/ddpg/Pendulum-v1.yaml, not conf/agent/ddpg.yaml's 1
    assert cfg["agent"]["gamma"] == 0.98 and cfg["total_steps"] == 20000


def test_command_line_beats_preset():
    cfg = composed("agent=ddpg", "env=Pendulum-v1", "total_steps=1234", "agent.learning_starts=7")
    assert cfg["total_steps"] == 1234
    assert cfg["agent"]["learning_starts"] == 7
    assert cfg["agent"]["gamma"] == 0.98  # untouched values still come from agent defaults / preset


def test_no_preset_means_agent_defaults():
    cfg = composed("agent=ddpg", "env=BipedalWalker-v3")  # no agents_zoo/ddpg/BipedalWalker-v3.yaml
    assert cfg["total_steps"] == 20000  # conf/config.yaml's default
    assert cfg["agent"]["learning_starts"] == 1000  # conf/agent/ddpg.yaml
    assert cfg["env"]["id"] == "BipedalWalker-v3"


def test_any_env_id_composes_even_without_a_conf_file():
    cfg = composed("env=some.module:Thing-v3")
    assert cfg["env"]["id"] == "some.module:Thing-v3"


@pytest.mark.parametrize(
    ("text", "expected"), [("ALE/Pong-v5", "ALE_Pong-v5"), ("pkg.mod:Env-v0", "pkg.mod_Env-v0")]
)
def test_slug_makes_env_ids_path_safe(text, expected):
    assert slug(text) == expected


@pytest.mark.parametrize(("agent", "env", "total_steps"), [("dqn", "MinAtar/Breakout-v1", 300_000),
                                                           ("reinforce", "MinAtar/Breakout-v1", 500_000),
                                                           ("ac", "MinAtar/Breakout-v1", 500_000),
                                                           ("dqn", "ALE/Breakout-v5", 10_000_000)])
def test_nested_presets_for_namespaced_env_ids_apply(agent, env, total_steps):
    cfg = composed(f"agent={agent}", f"env={env}")  # agents_zoo/<agent>/<namespace>/<game>.yaml
    assert cfg["env"]["id"] == env and cfg["total_steps"] == total_steps
    assert cfg["network"]["hidden"] == [] and cfg["network"]["encoder"] == "auto"


@pytest.mark.parametrize("argv", [
    ["-m", "agent=dqn", "env=MinAtar/Asterix-v1,MinAtar/Seaquest-v1", "seed=0,1"],
    ["--multirun", "agent=dqn,ac", "env=CartPole-v1"],
    ["-m", "env=choice(CartPole-v1,Acrobot-v1)"],
])
def test_a_multirun_sweeps_a_group_over_a_list_of_options(argv):
    check_groups(argv)  # passes to Hydra, which launches a job per option


@pytest.mark.parametrize("argv, message", [
    (["env=CartPole-v1,Acrobot-v1"], "sweeps them only in a multirun: python -m rlkit -m env=CartPole-v1,Acrobot-v1"),
    (["-m", "agent=dqn,0"], "agent=dqn,0: agent is a config group"),
    (["-m", "env=[CartPole-v1]"], "env=[CartPole-v1]: env is a config group"),
])
def test_a_group_list_outside_a_multirun_or_of_non_options_is_one_line(argv, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_groups(argv)


@pytest.mark.parametrize(("pattern", "expected"), [
    ("glob(MinAtar/S*)", "MinAtar/Seaquest-v1,MinAtar/SpaceInvaders-v1"),  # Hydra's glob alone matched none
    ("glob(MinAtar/*,exclude=[MinAtar/S*,MinAtar/A*])", "MinAtar/Breakout-v1,MinAtar/Freeway-v1"),
    ("glob(Lunar*)", "LunarLander-v3,LunarLanderContinuous-v3"),  # ids with a preset but no conf/env file
])
def test_an_env_glob_in_a_multirun_is_the_list_of_the_known_ids_it_matches(pattern, expected):
    assert expand_env_globs(["-m", "agent=dqn", f"env={pattern}", "seed=0,1"]) == [
        "-m", "agent=dqn", f"env={expected}", "seed=0,1"]
    check_groups(["-m", f"env={expected}"])


def test_an_env_glob_matching_nothing_is_one_line_listing_what_it_can_match():
    with pytest.raises(ConfigError, match=r"env=glob\(Foo\*\): matches no env id .*: .*MinAtar/Breakout-v1") as err:
        expand_env_globs(["--multirun", "env=glob(Foo*)"])
    assert "\n" not in str(err.value) and "CartPole-v1" in known_env_ids()


def test_an_env_glob_outside_a_multirun_is_left_to_the_group_check():
    assert expand_env_globs(["env=glob(MinAtar/*)"]) == ["env=glob(MinAtar/*)"]
    with pytest.raises(ConfigError, match="env is a config group"):
        check_groups(["env=glob(MinAtar/*)"])


def test_an_unknown_agent_key_in_a_mixed_agent_sweep_names_the_agent_without_it():
    from rlkit.hydra_errors import agents_named, unknown_key

    argv = ["-m", "agent=ac,dqn", "env=CartPole-v1", "agent.epsilon_end=0.1"]
    assert agents_named(argv) == ["ac", "dqn"] and agents_named([]) == ["ddpg"]
    line = unknown_key("agent.epsilon_end", argv)  # dqn has the key; ac, whose job Hydra refused, has not
    assert line.startswith("agent.epsilon_end: unknown key of agent ac;") and "mean agent.epsilon_end" not in line
    assert unknown_key("agent.gama", ["agent=myplugin"]).startswith("agent.gama: unknown key; did you mean agent.gamma")
    assert "agent.defaults" not in unknown_key("agent.defaultz", ["agent=td3"])  # td3.yaml's Hydra list, no option
