"""REINFORCE's math on hand-built numbers, the policy pieces shared with ac, its contract, a CLI smoke run."""

from __future__ import annotations

import json
import math

import gymnasium as gym
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.common import categorical_entropy, categorical_log_prob, gaussian_log_prob, sample_categorical
from rlkit.agents.reinforce import (
    Reinforce,
    discounted_returns,
    episode_complete,
    episode_step,
    reinforce_loss,
    standardize,
    time_baseline,
)
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError

CPU = torch.device("cpu")


def test_returns_are_discounted_sums_computed_backwards_and_restart_at_episode_ends():
    # one env: an episode of rewards 1, 2, 3 (ends at t=2), then 4, 5 of an unfinished one
    reward = torch.tensor([[1.0], [2.0], [3.0], [4.0], [5.0]])
    done = torch.tensor([[0.0], [0.0], [1.0], [0.0], [0.0]])
    u = discounted_returns(reward, done, gamma=0.5)
    expected = torch.tensor([1 + 0.5 * 2 + 0.25 * 3, 2 + 0.5 * 3, 3.0, 4 + 2.5, 5.0])
    assert torch.allclose(u.squeeze(1), expected)


def test_complete_marks_steps_whose_episode_ends_in_the_block():
    done = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    assert torch.equal(episode_complete(done), torch.tensor([[True, True], [True, True], [False, True],
                                                             [False, False]]))


def test_loss_gradient_is_minus_return_weighted_score_per_episode():
    log_prob = torch.tensor([-0.5, -1.0, -2.0], requires_grad=True)
    returns = torch.tensor([3.0, 2.0, 1.0])
    loss = reinforce_loss(log_prob, returns, num_episodes=2)
    assert loss.item() == pytest.approx(-(3 * -0.5 + 2 * -1.0 + 1 * -2.0) / 2)
    loss.backward()
    assert torch.allclose(log_prob.grad, -returns / 2)


def test_standardize_gives_zero_mean_unit_std():
    x = standardize(torch.tensor([1.0, 2.0, 3.0, 6.0]))
    assert x.mean().item() == pytest.approx(0.0, abs=1e-6)
    assert x.std(correction=0).item() == pytest.approx(1.0, abs=1e-5)


def test_episode_step_counts_from_zero_after_each_done():
    done = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])
    assert episode_step(done).tolist() == [[0, 0], [1, 1], [0, 2], [1, 0], [2, 1]]


def test_time_baseline_is_the_mean_return_at_each_episode_time_step():
    returns, step = torch.tensor([1.0, 3.0, 10.0, 20.0, 5.0]), torch.tensor([0, 0, 1, 1, 2])
    assert time_baseline(returns, step).tolist() == [2.0, 2.0, 15.0, 15.0, 5.0]


def test_time_baseline_gives_no_gradient_when_all_episodes_hit_the_time_limit():
    # two sub-envs, both episodes truncated after 3 steps of reward −1: returns differ by time step only.
    # standardize still pushes on the actions (late ones up); the time baseline leaves θ exactly as it was.
    done = torch.tensor([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0]])
    returns = discounted_returns(-torch.ones(3, 2), done, gamma=0.9).flatten()
    obs, action, episodes = torch.randn(6, 4), torch.randint(0, 2, (6,)), torch.tensor(2.0)
    baseline = time_baseline(returns, episode_step(done).flatten())
    timed, standardized = make(baseline="time"), make(baseline="standardize")
    before = [p.detach().clone() for p in timed.policy.parameters()]
    timed.learn(obs, action, returns, episodes, baseline)
    assert all(torch.equal(a, b) for a, b in zip(before, timed.policy.parameters(), strict=True))
    standardized.policy.load_state_dict(timed.policy.state_dict())
    standardized.learn(obs, action, returns, episodes)
    assert any(not torch.equal(a, b) for a, b in zip(before, standardized.policy.parameters(), strict=True))


def test_categorical_log_prob_and_sampling_match_softmax():
    logits = torch.tensor([[0.0, math.log(3.0)]])
    assert categorical_log_prob(logits, torch.tensor([1])).item() == pytest.approx(math.log(0.75))
    samples = sample_categorical(logits.repeat(20000, 1))
    assert samples.float().mean().item() == pytest.approx(0.75, abs=0.015)


def test_gaussian_log_prob_matches_density():
    mean, action = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]])
    log_std = torch.tensor([0.0, math.log(2.0)])
    expected = (-0.5 - 0.5 * math.log(2 * math.pi)) + (-math.log(2.0) - 0.5 * math.log(2 * math.pi))
    assert gaussian_log_prob(mean, log_std, action).item() == pytest.approx(expected)


def make(env_id: str = "CartPole-v1", **kwargs) -> Reinforce:
    env = gym.make(env_id)
    return make_agent("reinforce", env.observation_space, env.action_space, CPU, **kwargs)


def step(n: int, done: list[float]) -> Transition:
    return Transition(obs=torch.randn(n, 4), action=torch.randint(0, 2, (n,)), reward=torch.ones(n),
                      next_obs=torch.randn(n, 4), terminated=torch.tensor(done), done=torch.tensor(done))


def test_actions_in_bounds_for_discrete_and_box():
    agent = make()
    actions = agent.act(torch.randn(32, 4))
    assert actions.shape == (32,) and actions.min() >= 0 and actions.max() <= 1
    box = make("Pendulum-v1", log_std_init=3.0)
    actions = box.act(torch.randn(32, 3))
    assert actions.shape == (32, 1) and actions.abs().max() <= 2.0
    obs = torch.randn(8, 3)
    assert torch.equal(box.act(obs, explore=False), box.act(obs, explore=False))


@pytest.mark.parametrize("baseline", ["none", "standardize", "time", "value"])
def test_update_uses_finished_episodes_once_and_keeps_unfinished_ones(baseline):
    agent = make(rollout_steps=2, baseline=baseline)
    before = [p.detach().clone() for p in agent.policy.parameters()]
    agent.observe(step(2, [0.0, 0.0]))
    assert agent.update() is None
    agent.observe(step(2, [1.0, 0.0]))  # env 0 finishes a 2-step episode; env 1 is still running
    assert agent.update() is not None
    moved = any(not torch.equal(a, b) for a, b in zip(before, agent.policy.parameters(), strict=True))
    assert moved == (baseline != "time")  # a lone episode is its own time baseline: all weights 0
    assert agent.carry["obs"].shape[0] == 2  # both rows kept: env 1 still needs them
    assert agent.carry["fresh"].tolist() == [[False, True], [False, True]]
    agent.observe(step(2, [0.0, 0.0]))
    agent.observe(step(2, [0.0, 1.0]))  # env 1's 4-step episode ends; env 0's new one does not
    rows = agent.rows()
    use = episode_complete(rows["done"]) & rows["fresh"]
    assert use[:, 1].all() and not use[:, 0].any()
    assert agent.update() is not None


def test_value_steps_fit_v_closer_while_the_policy_step_uses_v_from_before_the_update():
    torch.manual_seed(0)
    obs, action, episodes = torch.randn(16, 4), torch.randint(0, 2, (16,)), torch.tensor(4.0)
    returns = 5 * torch.randn(16)
    one, many = make(baseline="value"), make(baseline="value", value_steps=25)
    many.load_state_dict(one.state_dict())
    one.learn(obs, action, returns, episodes)
    many.learn(obs, action, returns, episodes)
    for a, b in zip(one.policy.parameters(), many.policy.parameters(), strict=True):
        assert torch.equal(a, b)  # same weights w = u − V(s): V as it was before this update
    assert many.value_opt.state_dict()["steps"][0] == 25 and one.value_opt.state_dict()["steps"][0] == 1
    with torch.no_grad():
        error_one = (one.value(obs).squeeze(-1) - returns).pow(2).mean()
        error_many = (many.value(obs).squeeze(-1) - returns).pow(2).mean()
    assert error_many < 0.8 * error_one


def test_entropy_bonus_is_minus_c_times_the_summed_entropy_per_episode():
    torch.manual_seed(0)  # a perturbation that leaves the softmax unsaturated (else the entropy gradient vanishes)
    obs, action = torch.randn(6, 4), torch.randint(0, 2, (6,))
    returns, episodes = torch.zeros(6), torch.tensor(2.0)  # no return signal: only the bonus moves θ
    plain, bonus = make(baseline="none"), make(baseline="none", entropy_coef=0.5)
    with torch.no_grad():  # away from the uniform policy at initialisation, where the entropy is at its maximum
        for p in plain.policy.parameters():
            p.add_(0.3 * torch.randn_like(p))
    bonus.policy.load_state_dict(plain.policy.state_dict())
    entropy_before = categorical_entropy(bonus.policy(obs)).sum()
    bonus.learn(obs, action, returns, episodes)
    assert categorical_entropy(bonus.policy(obs)).sum() > entropy_before
    before = [p.detach().clone() for p in plain.policy.parameters()]
    metrics = plain.learn(obs, action, returns, episodes)
    assert all(torch.equal(a, b) for a, b in zip(before, plain.policy.parameters(), strict=True))
    assert float(metrics["losses/policy_loss"]) == 0.0
    with torch.no_grad():
        expected = -0.5 * categorical_entropy(bonus.policy(obs)).sum() / 2
    assert float(bonus.learn(obs, action, returns, episodes)["losses/policy_loss"]) == pytest.approx(
        float(expected), rel=1e-6)


def test_update_without_a_finished_episode_does_nothing():
    agent = make(rollout_steps=1)
    agent.observe(step(3, [0.0, 0.0, 0.0]))
    assert agent.update() is None


def test_state_dict_round_trip_restores_networks_and_optimizers():
    agent = make(rollout_steps=1, baseline="value")
    agent.observe(step(2, [1.0, 1.0]))
    agent.update()
    clone = make(rollout_steps=1, baseline="value")
    clone.load_state_dict(agent.state_dict())
    obs = torch.randn(5, 4)
    assert torch.equal(clone.policy(obs), agent.policy(obs))
    assert torch.equal(clone.value(obs), agent.value(obs))
    assert clone.env_steps == 2 and clone.policy_opt.state_dict()["steps"][0] == 1


def test_bad_spaces_and_options_are_refused():
    with pytest.raises(ConfigError, match="reinforce drives Discrete or rank-1 Box"):
        make_agent("reinforce", gym.spaces.Box(0, 1, (4,)), gym.spaces.MultiBinary(3), CPU)
    with pytest.raises(ConfigError, match="baseline='mean'"):
        make(baseline="mean")


def test_cli_smoke_run_writes_run_dir(cli, tmp_path):
    result = cli("agent=reinforce", "env=CartPole-v1", "total_steps=400", "num_envs=4", "eval.every=200",
                 "eval.episodes=2", "agent.rollout_steps=20")
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    summary = json.loads((run / "summary.json").read_text())
    assert summary["agent"] == "reinforce" and summary["env_steps"] == 400 and summary["updates"] > 0
    assert (run / "metrics.csv").exists() and (run / "checkpoints" / "last.pt").exists()
