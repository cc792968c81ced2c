"""The actor-gradient spread bench (``python -m rlkit.bench acvar``): its per-sample gradients and moments."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.ac import expected_q
from rlkit.agents.common import categorical_log_prob
from rlkit.bench.ac_variance import gradient_moments, per_sample_gradients

CPU = torch.device("cpu")


def small_agent():
    torch.manual_seed(0)
    obs_space = gym.spaces.Box(-1.0, 1.0, (3,), np.float32)
    return make_agent("ac", obs_space, gym.spaces.Discrete(2), CPU, network={"hidden": [5]})


def test_per_sample_gradients_sum_to_the_batch_gradient():
    agent = small_agent()
    obs, action = torch.randn(6, 3), torch.tensor([0, 1, 1, 0, 1, 0])
    rows = per_sample_gradients(agent.actor, obs, action)
    params = list(agent.actor.parameters())
    total = torch.autograd.grad(categorical_log_prob(agent.actor(obs), action).sum(), params)
    assert rows.shape == (6, sum(p.numel() for p in params))
    assert torch.allclose(rows.sum(0), torch.cat([g.reshape(-1) for g in total]), atol=1e-6)


def test_moments_on_hand_numbers():
    score = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    m = gradient_moments(score, torch.tensor([3.0, 1.0]))  # g = (3, 0), (0, 2); ḡ = (1.5, 1)
    assert m["second_moment"] == pytest.approx((9 + 4) / 2)
    assert m["mean_norm"] == pytest.approx((1.5 ** 2 + 1) ** 0.5)
    assert m["total_variance"] == pytest.approx(((1.5 ** 2 + 1) + (1.5 ** 2 + 1)) / 2)


def test_baseline_keeps_the_exact_expected_gradient_and_cuts_the_variance():
    """Over all actions weighted by π (the exact expectation), q·∇log π and (q − b)·∇log π have the same mean,
    and with q large and of one sign the unbaselined form's spread is far larger."""
    agent = small_agent()
    obs = torch.randn(4, 3)
    q_all = 100.0 + torch.tensor([[1.0, -1.0], [0.5, 0.0], [-2.0, 1.0], [0.0, 0.3]])
    probs = agent.actor(obs).softmax(-1).detach()
    b = expected_q(agent.actor(obs).detach(), q_all)
    means, variances = {}, {}
    for name, weight in (("q", q_all), ("q - b", q_all - b.unsqueeze(-1))):
        grads = torch.stack([per_sample_gradients(agent.actor, obs, torch.full((4,), a)) * weight[:, a:a + 1]
                             for a in range(2)])  # [action, state, P]
        p = probs.T.unsqueeze(-1)  # [action, state, 1]
        means[name] = (p * grads).sum(0).mean(0)
        variances[name] = (p * (grads - (p * grads).sum(0)).pow(2)).sum(0).sum(-1).mean()
    assert torch.allclose(means["q"], means["q - b"], atol=1e-4)
    assert variances["q"] > 100 * variances["q - b"]
