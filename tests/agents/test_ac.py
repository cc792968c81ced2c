"""The actor-critic step on hand-built numbers, the agent's contract with the trainer, a CLI smoke run."""

from __future__ import annotations

import json
import math

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.ac import ActorCritic, actor_critic_losses, expected_q, nstep_targets
from rlkit.agents.targets import td_target
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")


def test_critic_gradient_is_td_error_and_actor_gradient_is_q_weighted_score():
    q = torch.tensor([2.0, 5.0], requires_grad=True)
    log_prob = torch.tensor([-0.1, -2.0], requires_grad=True)
    # y = r + γ q′ with the second successor terminal: y = [1 + 0.5·4, 1] = [3, 1]
    target = td_target(torch.tensor([1.0, 1.0]), torch.tensor([4.0, 7.0]), torch.tensor([0.0, 1.0]), 0.5)
    critic_loss, actor_loss, delta = actor_critic_losses(q, target, log_prob)
    assert torch.equal(delta, torch.tensor([-1.0, 4.0]))  # δ = q − y
    (critic_loss + actor_loss).backward()
    assert torch.allclose(q.grad, delta / 2)  # w ← w − α·δ·∂q/∂w (batch mean); the actor term adds nothing
    assert torch.allclose(log_prob.grad, -torch.tensor([2.0, 5.0]) / 2)  # θ ← θ + β·q·∂log π/∂θ


def test_baseline_subtracts_expected_q_and_leaves_the_expected_gradient_unchanged():
    logits = torch.tensor([[0.0, math.log(3.0)]])  # π = (0.25, 0.75)
    q_all = torch.tensor([[4.0, 8.0]])
    v = expected_q(logits, q_all)
    assert v.item() == pytest.approx(0.25 * 4 + 0.75 * 8)
    advantages = q_all - v.unsqueeze(-1)  # (−3, +1): the better action is reinforced, the worse one not
    assert torch.allclose(advantages, torch.tensor([[-3.0, 1.0]]))
    # E_a[∇θ log π(a)·b] = 0 ⇒ exact expected actor gradients with and without the baseline are equal
    theta = logits.clone().requires_grad_(True)
    expected_grads = []
    for baseline in (0.0, v.item()):
        probs = theta.softmax(-1).detach()
        loss = -sum(probs[0, a] * (q_all[0, a] - baseline) * theta.log_softmax(-1)[0, a] for a in range(2))
        expected_grads.append(torch.autograd.grad(loss, theta)[0])
    assert torch.allclose(expected_grads[0], expected_grads[1], atol=1e-6)


def test_normalize_advantage_weights_the_score_by_the_standardised_advantage():
    q = torch.tensor([1.0, 2.0, 6.0], requires_grad=True)
    log_prob = torch.tensor([-0.5, -1.0, -0.2], requires_grad=True)
    target = torch.zeros(3)
    critic_loss, actor_loss, delta = actor_critic_losses(q, target, log_prob, normalize=True)
    (critic_loss + actor_loss).backward()
    # A = (1, 2, 6): mean 3, sample std √7 ⇒ Â = (−2, −1, 3)/√7; ∂(−mean Â·log π)/∂log π = −Â/3
    standardised = torch.tensor([-2.0, -1.0, 3.0]) / math.sqrt(7.0)
    assert torch.allclose(log_prob.grad, -standardised / 3, atol=1e-6)
    assert torch.allclose(q.grad, delta / 3)  # the critic's step is mean δ·∂q/∂w, as without normalising
    # a baseline shifts every A alike, and the normalised step does not see it
    shifted = actor_critic_losses(q, target, log_prob, baseline=torch.full((3,), 10.0), normalize=True)[1]
    assert torch.allclose(shifted, actor_loss)


def test_normalize_advantage_refuses_a_single_transition_batch_in_one_line():
    agent = make(normalize_advantage=True)  # ac's defaults: 1 env × 1 step per update
    agent.observe(transition(1))
    with pytest.raises(ConfigError, match=r"needs 2 or more transitions per update, got num_envs × n_steps = 1 × 1"):
        agent.update()


def test_normalize_advantage_changes_the_actor_step_only():
    assert make().normalize_advantage is False  # off by default: today's step
    torch.manual_seed(0)
    batch = [transition(8) for _ in range(2)]
    agents = []
    for normalize in (False, True):
        torch.manual_seed(1)
        agent = make(n_steps=2, normalize_advantage=normalize)
        for step in batch:
            agent.observe(step)
        torch.manual_seed(2)  # the same ã_{t+1} for both
        agent.update()
        agents.append(agent)
    plain, normalised = agents
    assert any(not torch.equal(a, b) for a, b in zip(plain.actor.parameters(), normalised.actor.parameters(),
                                                     strict=True))
    assert all(torch.equal(a, b) for a, b in zip(plain.critic.parameters(), normalised.critic.parameters(),
                                                 strict=True))


def test_nstep_targets_sum_rewards_to_the_rollout_end_and_bootstrap_once():
    # one env, 3 steps, γ = 0.5, rewards 1; next_q after each step = 10, 20, 30
    reward, next_q = torch.ones(3, 1), torch.tensor([[10.0], [20.0], [30.0]])
    zeros = torch.zeros(3, 1)
    y = nstep_targets(reward, next_q, zeros, zeros, 0.5).squeeze(1)
    assert torch.allclose(y, torch.tensor([1 + 0.5 + 0.25 + 0.125 * 30, 1 + 0.5 + 0.25 * 30, 1 + 0.5 * 30]))
    # episode ends at t = 0: terminated → y_0 = r_0; truncated → y_0 = r_0 + γ·q(s_1), s_1 the final state
    ended = torch.tensor([[1.0], [0.0], [0.0]])
    assert nstep_targets(reward, next_q, ended, ended, 0.5)[0].item() == pytest.approx(1.0)
    assert nstep_targets(reward, next_q, zeros, ended, 0.5)[0].item() == pytest.approx(1 + 0.5 * 10)
    single = nstep_targets(reward[:1], next_q[:1], zeros[:1], zeros[:1], 0.5)
    assert torch.allclose(single, td_target(reward[:1], next_q[:1], zeros[:1], 0.5))


def make(env_id: str = "CartPole-v1", **kwargs) -> ActorCritic:
    env = gym.make(env_id)
    return make_agent("ac", env.observation_space, env.action_space, CPU, **kwargs)


def transition(n: int, obs_dim: int = 4, action: torch.Tensor | None = None) -> Transition:
    action = torch.randint(0, 2, (n,)) if action is None else action
    return Transition(obs=torch.randn(n, obs_dim), action=action, reward=torch.ones(n),
                      next_obs=torch.randn(n, obs_dim), terminated=(torch.rand(n) < 0.2).float(),
                      done=torch.zeros(n))


def test_actions_in_bounds_for_discrete_and_box():
    agent = make()
    actions = agent.act(torch.randn(32, 4))
    assert actions.shape == (32,) and actions.min() >= 0 and actions.max() <= 1
    box = make("Pendulum-v1", log_std_init=3.0)
    actions = box.act(torch.randn(32, 3))
    assert actions.shape == (32, 1) and actions.abs().max() <= 2.0


@pytest.mark.parametrize(("env_id", "advantage", "nstep"), [("CartPole-v1", "q", False),
                                                            ("CartPole-v1", "baseline", True),
                                                            ("Pendulum-v1", "baseline", False)])
def test_update_every_n_steps_changes_actor_and_critic(env_id, advantage, nstep):
    agent = make(env_id, n_steps=2, advantage=advantage, nstep=nstep, entropy_coef=0.01)
    obs_dim = 3 if env_id == "Pendulum-v1" else 4
    action = (lambda: torch.rand(4, 1) * 4 - 2) if env_id == "Pendulum-v1" else (lambda: None)
    actor_before = [p.detach().clone() for p in agent.actor.parameters()]
    critic_before = [p.detach().clone() for p in agent.critic.parameters()]
    agent.observe(transition(4, obs_dim, action()))
    assert agent.update() is None
    agent.observe(transition(4, obs_dim, action()))
    metrics = agent.update()
    assert {"losses/critic_loss", "losses/actor_loss", "losses/entropy"} <= set(metrics)
    assert any(not torch.equal(a, b) for a, b in zip(actor_before, agent.actor.parameters(), strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(critic_before, agent.critic.parameters(), strict=True))


def test_state_dict_round_trip_restores_networks_and_optimizers():
    agent = make()
    agent.observe(transition(4))
    agent.update()
    clone = make()
    clone.load_state_dict(agent.state_dict())
    obs = torch.randn(5, 4)
    assert torch.equal(clone.act(obs, explore=False), agent.act(obs, explore=False))
    assert torch.equal(clone.critic.all_actions(obs), agent.critic.all_actions(obs))
    assert clone.env_steps == 4 and clone.critic_opt.state_dict()["steps"][0] == 1


def test_bad_spaces_and_options_are_refused():
    with pytest.raises(ConfigError, match="ac drives Discrete or rank-1 Box"):
        make_agent("ac", gym.spaces.Box(0, 1, (4,)), gym.spaces.MultiDiscrete([2, 2]), CPU)
    with pytest.raises(ConfigError, match="advantage='td'"):
        make(advantage="td")


def test_cli_smoke_run_writes_run_dir(cli, tmp_path):
    result = cli("agent=ac", "env=CartPole-v1", "total_steps=400", "num_envs=4", "eval.every=200",
                 "eval.episodes=2")
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["agent"] == "ac" and summary["env_steps"] == 400 and summary["updates"] > 0
    assert (run / "metrics.csv").exists() and (run / "checkpoints" / "last.pt").exists()
