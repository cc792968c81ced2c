"""TD3's refinements on hand-built numbers (the min target, the smoothed target action, the delay schedule), the
agent's wiring of them, and the delay's phase surviving a checkpoint; ddpg is td3 with all three off."""

from __future__ import annotations

import copy

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.ddpg import DDPG, actor_update_due, smoothed_target_action
from rlkit.agents.targets import min_td_target, td_target
from rlkit.agents.td3 import TD3
from rlkit.errors import ConfigError
from tests.agents.test_ddpg import fake_transition

CPU = torch.device("cpu")


def test_min_target_bootstraps_from_the_smaller_critic_unless_terminated():
    reward = torch.tensor([1.0, 1.0, -2.0])
    q1, q2 = torch.tensor([10.0, 3.0, 4.0]), torch.tensor([5.0, 8.0, 6.0])
    terminated = torch.tensor([0.0, 0.0, 1.0])
    y = min_td_target(reward, [q1, q2], terminated, gamma=0.9)
    assert torch.allclose(y, torch.tensor([1.0 + 0.9 * 5.0, 1.0 + 0.9 * 3.0, -2.0]))
    assert torch.equal(min_td_target(reward, [q1], terminated, 0.9), td_target(reward, q1, terminated, 0.9))


def test_smoothed_target_action_adds_clipped_noise_in_half_ranges_and_stays_in_bounds():
    low, high = torch.tensor([-1.0, 0.0]), torch.tensor([3.0, 1.0])  # half-ranges 2 and 0.5
    scale = (high - low) / 2
    action = torch.tensor([[1.0, 0.5]])
    same = smoothed_target_action(action, torch.zeros(1, 2), 0.2, 0.5, scale, low, high)
    assert torch.equal(same, action)
    # σ·ε = 0.2·1 = 0.2 half-ranges (inside the clip): 0.4 and 0.1 in action units
    small = smoothed_target_action(action, torch.ones(1, 2), 0.2, 0.5, scale, low, high)
    assert torch.allclose(small, torch.tensor([[1.4, 0.6]]))
    # a large draw is clipped to c = 0.5 half-ranges: 1.0 and 0.25 in action units, either sign
    big = smoothed_target_action(action, torch.tensor([[100.0, -100.0]]), 0.2, 0.5, scale, low, high)
    assert torch.allclose(big, torch.tensor([[2.0, 0.25]]))
    # near a bound the result is clipped to it
    edge = smoothed_target_action(torch.tensor([[2.9, 0.95]]), torch.full((1, 2), 100.0), 0.2, 0.5, scale, low, high)
    assert torch.equal(edge, torch.tensor([[3.0, 1.0]]))
    many = smoothed_target_action(action.expand(10_000, 2), torch.randn(10_000, 2) * 10, 0.2, 0.5, scale, low, high)
    assert (many >= low).all() and (many <= high).all()
    assert ((many - action).abs() <= 0.5 * scale + 1e-6).all()


def test_delay_schedule_moves_the_actor_on_every_dth_critic_update():
    assert [actor_update_due(i, 2) for i in range(6)] == [True, False, True, False, True, False]
    assert [actor_update_due(i, 3) for i in range(7)] == [True, False, False, True, False, False, True]
    assert all(actor_update_due(i, 1) for i in range(5))  # ddpg: every update


def pendulum(name: str = "td3", **kwargs):
    env = gym.make("Pendulum-v1")
    options = {"learning_starts": 8, "batch_size": 8, "network": {"hidden": [16, 16]}, **kwargs}
    return make_agent(name, env.observation_space, env.action_space, CPU, **options)


def snapshot(module: torch.nn.Module) -> list[torch.Tensor]:
    return [p.detach().clone() for p in module.parameters()]


def moved(before: list[torch.Tensor], module: torch.nn.Module) -> bool:
    return any(not torch.equal(a, b) for a, b in zip(before, module.parameters(), strict=True))


def test_td3_has_two_critics_and_moves_actor_and_targets_every_second_update():
    torch.manual_seed(0)
    agent = pendulum()
    assert isinstance(agent, TD3) and isinstance(agent, DDPG)
    assert agent.policy_delay == 2 and len(agent.critics) == 2 and len(agent.critic_targets) == 2
    assert moved(snapshot(agent.critic), agent.critic2)  # initialised independently
    agent.observe(fake_transition(8))
    for update in range(4):
        actor, target, critic2 = snapshot(agent.actor), snapshot(agent.critic2_target), snapshot(agent.critic2)
        metrics = agent.update()
        assert set(metrics) == {"losses/critic_loss", "losses/actor_loss", "losses/q_mean"}
        assert moved(critic2, agent.critic2)  # every critic learns every update
        assert moved(actor, agent.actor) == moved(target, agent.critic2_target) == (update % 2 == 0), update
    assert agent.critic_updates == 4


def test_ddpg_is_td3_with_the_refinements_off():
    agent = pendulum("ddpg")
    assert not agent.target_policy_noise and agent.policy_delay == 1 and len(agent.critics) == 1
    assert not hasattr(agent, "critic2")
    assert "critic2" not in agent.state_dict()  # ddpg checkpoints keep their layout
    agent.observe(fake_transition(8))
    for _ in range(2):
        actor = snapshot(agent.actor)
        agent.update()
        assert moved(actor, agent.actor)
    # each refinement on its own, on ddpg
    assert len(pendulum("ddpg", twin_critics=True).critics) == 2
    assert pendulum("ddpg", policy_delay=3).policy_delay == 3


def test_target_noise_is_drawn_only_when_on():
    agent = pendulum("ddpg")
    agent.observe(fake_transition(8))
    seen = []
    agent.critic_step = lambda batch, step=agent.critic_step: (seen.append(set(batch)), step(batch))[1]
    agent.update()
    assert "target_eps" not in seen[-1]
    agent.target_policy_noise = 0.2
    agent.update()
    assert "target_eps" in seen[-1]


def test_the_delay_phase_survives_a_checkpoint():
    torch.manual_seed(0)
    agent = pendulum()
    agent.observe(fake_transition(8))
    for _ in range(3):
        agent.update()
    state = copy.deepcopy(agent.state_dict())
    assert state["extra"]["critic_updates"] == 3
    torch.manual_seed(7)
    for _ in range(3):
        agent.update()
    resumed = pendulum()
    resumed.load_state_dict(state)
    assert resumed.critic_updates == 3
    actor = snapshot(resumed.actor)
    torch.manual_seed(7)
    resumed.update()  # the 4th critic update: the actor waits, as it would have without the interruption
    assert not moved(actor, resumed.actor)
    for _ in range(2):
        resumed.update()
    for name in ("actor", "critic", "critic2", "actor_target", "critic_target", "critic2_target"):
        for a, b in zip(getattr(agent, name).parameters(), getattr(resumed, name).parameters(), strict=True):
            assert torch.equal(a, b), name


def test_refused_spaces_and_options_name_td3():
    env = gym.make("CartPole-v1")
    with pytest.raises(ConfigError, match="td3 drives continuous Box action spaces"):
        make_agent("td3", env.observation_space, env.action_space, CPU)
    with pytest.raises(ConfigError, match="policy_delay=0"):
        pendulum(policy_delay=0)


MUJOCO = ["HalfCheetah-v5", "Hopper-v5", "Walker2d-v5", "Ant-v5"]


@pytest.mark.parametrize("agent_env", [f"td3/{env}" for env in [*MUJOCO, "LunarLanderContinuous-v3"]]
                         + [f"ddpg/{env}" for env in MUJOCO])
def test_presets_compose_and_validate(agent_env):
    from rlkit.agents import AGENTS
    from rlkit.schema import validate
    from tests.conftest import composed

    agent, env = agent_env.split("/")
    cfg = composed(f"agent={agent}", f"env={env}")
    validate(cfg, AGENTS.get(agent))
    assert cfg["total_steps"] == 300_000 and cfg["network"]["hidden"] == [256, 256]


@pytest.mark.parametrize("env", MUJOCO)
def test_ddpg_and_td3_mujoco_presets_differ_only_in_the_refinements(env):
    from tests.conftest import composed

    ddpg, td3 = composed("agent=ddpg", f"env={env}"), composed("agent=td3", f"env={env}")
    refinements = {"name", "twin_critics", "target_policy_noise", "target_noise_clip", "policy_delay"}
    assert {k: v for k, v in ddpg["agent"].items() if k not in refinements} == \
        {k: v for k, v in td3["agent"].items() if k not in refinements}
    assert (ddpg["agent"]["twin_critics"], ddpg["agent"]["target_policy_noise"], ddpg["agent"]["policy_delay"]) == \
        (False, 0.0, 1)
    own = {"agent", "preset_file"}  # each pair's own preset file is recorded beside its values
    assert {k: v for k, v in ddpg.items() if k not in own} == {k: v for k, v in td3.items() if k not in own}
    assert (ddpg["preset_file"], td3["preset_file"]) == (f"agents_zoo/ddpg/{env}.yaml", f"agents_zoo/td3/{env}.yaml")


def test_speed_benchmark_runs_both_loops_and_reports_a_ratio(capsys):
    from rlkit.bench.bare_td3 import main

    result = main(["--env", "Pendulum-v1", "--learning-starts", "300", "--steps", "20", "--rounds", "1"])
    assert result["ratio"] > 0 and "rlkit / bare =" in capsys.readouterr().out


def test_a_killed_td3_run_resumes_into_the_uninterrupted_run(tmp_path):
    """Through the CLI, as tests/test_resume.py does for the other agents; checkpoints every 301 env steps, so a
    checkpoint falls on an odd critic update and a lost delay phase would move the actor one update early."""
    import json
    import random

    from rlkit.checkpoint import load_checkpoint
    from tests.test_resume import kill_mid_run, metrics_without_wall_time, run, saved_step

    overrides = ("agent=td3", "env=Pendulum-v1", "network=mlp", "total_steps=1800", "agent.learning_starts=200",
                 "eval.every=600", "checkpoint.every=301")
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    run(straight, *overrides)
    kill_mid_run(killed, overrides, random.Random("td3"))
    interrupted_at = saved_step(killed / "checkpoints" / "last.pt")
    run(killed, *overrides, "resume=true")
    assert metrics_without_wall_time(killed) == metrics_without_wall_time(straight), f"killed at {interrupted_at}"
    a, b = (json.loads((d / "summary.json").read_text()) for d in (straight, killed))
    assert a["eval_return_mean"] == b["eval_return_mean"]
    sa, sb = (load_checkpoint(d / "checkpoints" / "last.pt")["agent"] for d in (straight, killed))
    assert sa["extra"]["critic_updates"] == sb["extra"]["critic_updates"] == 1601  # steps 200..1800
    for net in ("actor", "critic", "critic2", "actor_target", "critic_target", "critic2_target"):
        for name, tensor in sa[net].items():
            assert torch.equal(tensor, sb[net][name]), f"{net}.{name}"
