"""compile=true: each agent's update step through torch.compile gives the parameters eager gives (CPU), and a
run with it completes; cudagraphs=true on CPU is one line."""

from __future__ import annotations

import json

import pytest
import torch

from rlkit.agents import make_agent
from rlkit.envs import make_env
from rlkit.optim import Adam

# (agent, env, constructor options, num_envs, env steps): small batches and early learning, so a few hundred env
# steps hold dozens of updates. ddpg stops at 150 (86 updates): compiled and eager agree there to 3e-10, but by
# 300 steps one rounding difference has been amplified past 1e-4 (a ReLU or an action clamp on the other side of
# its kink), on this Intel box from f56bbc0 on — chaos of the training run, not a difference of the update.
CASES = {
    "dqn": ("CartPole-v1", {"learning_starts": 64, "batch_size": 32}, 1, 300),
    "ddpg": ("Pendulum-v1", {"learning_starts": 64, "batch_size": 32}, 1, 150),
    "td3": ("Pendulum-v1", {"learning_starts": 64, "batch_size": 32, "network": {"hidden": [64, 64]}}, 1, 300),
    "ac": ("CartPole-v1", {"n_steps": 5}, 4, 300),
    "reinforce": ("CartPole-v1", {"rollout_steps": 40}, 2, 300),
}


def trained(agent_name: str, compiled: bool, steps: int | None = None, **extra):
    env_id, options, num_envs, default_steps = CASES[agent_name]
    steps = default_steps if steps is None else steps
    options = {**options, **extra}
    torch.manual_seed(0)
    env = make_env(env_id, num_envs=num_envs, seed=0)
    agent = make_agent(agent_name, env.single_observation_space, env.single_action_space, torch.device("cpu"),
                       **options)
    if compiled:
        agent.compile()
    else:  # the same Adam arithmetic as the compiled path (the fused kernel rounds differently)
        for optimizer in agent._stateful().values():
            if isinstance(optimizer, Adam):
                optimizer.fused = False
    torch.manual_seed(1)
    obs = env.obs
    for _ in range(steps // num_envs):
        transition, _ = env.step(agent.act(obs))
        obs = env.obs
        agent.observe(transition)
        agent.update()
    env.close()
    return agent


@pytest.mark.parametrize("agent_name", list(CASES))
def test_compiled_update_gives_the_eager_parameters(agent_name):
    eager, compiled = trained(agent_name, False), trained(agent_name, True)
    modules = {k: v for k, v in eager._stateful().items() if isinstance(v, torch.nn.Module)}
    assert modules
    for name, module in modules.items():
        for (pname, a), b in zip(module.named_parameters(), compiled._stateful()[name].parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5, msg=f"{name}.{pname}")
    untrained = trained(agent_name, False, steps=0)._stateful()
    assert any(not torch.equal(p, q) for name, module in modules.items()  # it did learn
               for p, q in zip(untrained[name].parameters(), module.parameters(), strict=True))


def test_a_compiled_run_completes(cli, tmp_path):
    proc = cli("agent=dqn", "env=CartPole-v1", "compile=true", "total_steps=2000", "agent.learning_starts=500",
               "eval.every=2000", "eval.episodes=2")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["updates"] > 0


@pytest.mark.skipif(torch.cuda.is_available(), reason="on a GPU machine cudagraphs=true is valid")
def test_cudagraphs_on_cpu_is_one_line(cli):
    proc = cli("device=cpu", "cudagraphs=true")
    assert proc.returncode == 2 and "cudagraphs=true: CUDA graphs need device=cuda" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_a_learning_rate_schedule_neither_recompiles_nor_departs_from_eager():
    from torch._dynamo.utils import counters

    torch._dynamo.reset()
    counters.clear()
    eager = trained("dqn", False, lr_decay_steps=400)
    compiled = trained("dqn", True, lr_decay_steps=400)
    assert compiled.q_opt.lr == pytest.approx(1e-3 * (1 - 300 / 400))
    assert not counters["recompiles"] and counters["stats"]["unique_graphs"] <= 2  # the lr is a tensor input
    for a, b in zip(eager.q_net.parameters(), compiled.q_net.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_prioritised_replay_compiles_to_the_eager_parameters():
    options = {"prioritized": True, "priority_alpha": 0.6, "priority_beta_steps": 300}
    eager, compiled = trained("dqn", False, **options), trained("dqn", True, **options)
    # (|δ| + ε)^0.6 magnifies the last bit of a small |δ|: 1e-5 apart where the parameters are 5e-7 apart
    torch.testing.assert_close(eager.buffer.priority, compiled.buffer.priority, rtol=1e-4, atol=1e-4)
    for a, b in zip(eager.q_net.parameters(), compiled.q_net.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
