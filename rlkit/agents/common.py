"""Pieces shared by the policy-gradient agents (reinforce, ac): the stochastic policy π(a|s;θ) and its checks.

Log-probabilities and samples are written out by hand (log-softmax + Gumbel-max, the Gaussian density) rather
than through ``torch.distributions``: no argument validation, no host syncs, a few fused ops per call.
"""

from __future__ import annotations

import math

import gymnasium as gym
import torch
from torch import Tensor, nn

from rlkit.agents.networks import check_observations, q_or_policy_network
from rlkit.errors import ConfigError

LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def categorical_log_prob(logits: Tensor, action: Tensor) -> Tensor:
    """log π(a|s) = logits_a − logsumexp(logits), for integer actions of shape logits.shape[:-1]."""
    return logits.log_softmax(-1).gather(-1, action.long().unsqueeze(-1)).squeeze(-1)


def sample_categorical(logits: Tensor) -> Tensor:
    """a ~ softmax(logits) by the Gumbel-max trick: argmax(logits + G), G = −log(−log U), U ~ U(0, 1)."""
    u = torch.rand_like(logits).clamp_(min=1e-20)
    return (logits - (-u.log()).log()).argmax(-1)


def gaussian_log_prob(mean: Tensor, log_std: Tensor, action: Tensor) -> Tensor:
    """log N(a; μ, diag σ²) summed over action dimensions: Σ_i −½((a_i − μ_i)/σ_i)² − log σ_i − ½ log 2π."""
    z = (action - mean) * torch.exp(-log_std)
    return (-0.5 * z.pow(2) - log_std - LOG_SQRT_2PI).sum(-1)


def categorical_entropy(logits: Tensor) -> Tensor:
    """H(π(·|s)) = −Σ_a π(a|s)·log π(a|s)."""
    log_p = logits.log_softmax(-1)
    return -(log_p.exp() * log_p).sum(-1)


def gaussian_entropy(log_std: Tensor) -> Tensor:
    """H(N(μ, diag σ²)) = Σ_i log σ_i + ½·log(2πe), independent of the state."""
    return (log_std + LOG_SQRT_2PI + 0.5).sum(-1)


class Policy(nn.Module):
    """π(a|s;θ): softmax over a network's logits for Discrete actions; for Box actions a Gaussian whose mean
    is a network output and whose log-std is a state-independent learned vector. The network is an MLP for
    vector observations, encoder + MLP head for images (rlkit/agents/networks.py).

    The output layer starts 100× smaller than the default init, so π starts near uniform (or at mean ≈ 0)
    and early, noisy gradients cannot make it deterministic at once (as in SB3/CleanRL's orthogonal init with
    gain 0.01). Box samples are clipped to the action bounds before they reach the env; the log-probability is
    then taken at the clipped action (exact inside the bounds, a small bias at them).
    """

    def __init__(self, observation_space: gym.spaces.Box, action_space: gym.Space, net: dict,
                 log_std_init: float = 0.0) -> None:
        super().__init__()
        self.discrete = isinstance(action_space, gym.spaces.Discrete)
        out_dim = int(action_space.n) if self.discrete else int(action_space.shape[0])
        self.body = q_or_policy_network(observation_space, out_dim, net)
        with torch.no_grad():
            last = [m for m in self.body.modules() if isinstance(getattr(m, "weight", None), nn.Parameter)]
            last = last[-1]
            last.weight.mul_(0.01)
            last.bias.zero_()
        if not self.discrete:
            self.log_std = nn.Parameter(torch.full((out_dim,), float(log_std_init)))
            self.register_buffer("low", torch.as_tensor(action_space.low, dtype=torch.float32))
            self.register_buffer("high", torch.as_tensor(action_space.high, dtype=torch.float32))

    def forward(self, obs: Tensor) -> Tensor:
        """Logits (Discrete) or the Gaussian mean (Box)."""
        return self.body(obs)

    def log_prob(self, obs: Tensor, action: Tensor) -> Tensor:
        return self.log_prob_of(self.body(obs), action)

    def log_prob_of(self, out: Tensor, action: Tensor) -> Tensor:
        """log π(a|s) from the network's output ``out`` (so that ``entropy`` can share the forward pass)."""
        if self.discrete:
            return categorical_log_prob(out, action)
        return gaussian_log_prob(out, self.log_std, action)

    def sample(self, obs: Tensor) -> Tensor:
        out = self.body(obs)
        if self.discrete:
            return sample_categorical(out)
        return (out + self.log_std.exp() * torch.randn_like(out)).clamp(self.low, self.high)

    def entropy(self, out: Tensor) -> Tensor:
        """Entropy of π(·|s) from the network's output ``out`` for a batch of states."""
        if self.discrete:
            return categorical_entropy(out)
        return gaussian_entropy(self.log_std).expand(out.shape[:-1])

    def mode(self, obs: Tensor) -> Tensor:
        """The deterministic evaluation action: the most likely one (argmax logits, or the clipped mean)."""
        out = self.body(obs)
        return out.argmax(-1) if self.discrete else out.clamp(self.low, self.high)


def stack_steps(steps: list[tuple[Tensor, ...]], fields: tuple[str, ...]) -> dict[str, Tensor] | None:
    """On-policy steps not yet learned from, as {field: [T, N, ...]} for a checkpoint (None when empty)."""
    if not steps:
        return None
    return {name: torch.stack([step[i] for step in steps]) for i, name in enumerate(fields)}


def unstack_steps(stacked: dict[str, Tensor] | None, fields: tuple[str, ...],
                  device: torch.device) -> list[tuple[Tensor, ...]]:
    """The inverse of ``stack_steps``: the list of per-step tuples, on ``device``."""
    if stacked is None:
        return []
    columns = [stacked[name].to(device) for name in fields]
    return [tuple(column[t] for column in columns) for t in range(columns[0].shape[0])]


def truncate_at_last_step(steps: list[tuple[Tensor, ...]], fields: tuple[str, ...]) -> list[tuple[Tensor, ...]]:
    """``steps`` with every episode ended at the last one (``done`` = 1 there, ``terminated`` untouched): the
    truncation ``Agent.envs_restarted`` asks for."""
    if not steps:
        return steps
    done = fields.index("done")
    last = list(steps[-1])
    last[done] = torch.ones_like(last[done])
    return [*steps[:-1], tuple(last)]


def check_policy_spaces(agent: str, observation_space: gym.Space, action_space: gym.Space) -> None:
    """Discrete or rank-1 Box actions and Box observations, else a one-line ``ConfigError``."""
    if not (isinstance(action_space, gym.spaces.Discrete)
            or (isinstance(action_space, gym.spaces.Box) and len(action_space.shape) == 1)):
        raise ConfigError(f"{agent} drives Discrete or rank-1 Box action spaces, not {action_space}")
    check_observations(agent, observation_space)
