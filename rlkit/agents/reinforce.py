"""REINFORCE: Monte-Carlo policy gradient on complete episodes (Williams, 1992).

For each finished episode, u_t = Σ_{i≥t} γ^{i−t} r_i (computed backwards: u_t = r_t + γ·u_{t+1}), and the
loss −Σ_t w_t·log π(a_t|s_t;θ) with w_t = u_t has gradient −Σ_t u_t·∇θ log π(a_t|s_t;θ), the negated
policy-gradient estimate. Optional baselines lower its variance without biasing it: ``standardize`` uses
w_t = (u_t − mean u)/std u over the batch; ``time`` uses w_t = (u_t − b_k)/std, with b_k the mean return of
the batch's episodes at the same time step k of their episode (a baseline that depends on time only, so it adds no
bias): when every episode runs into the time limit, the returns differ by time step only and w is exactly 0,
where ``standardize`` would push on whatever actions were taken late; ``value`` learns V(s;φ) by regression
onto u_t (``value_steps`` full-batch steps per update) and uses w_t = u_t − V(s_t;φ), V as it was before those
steps. ``entropy_coef`` c adds −c·Σ_t H(π(·|s_t)) per episode to the loss (Williams & Peng, 1991): it keeps the
policy from turning deterministic while the returns carry no signal. Episodes come from all sub-envs of the
vector env at once: every ``rollout_steps`` vector steps the agent updates on every episode that finished since
the last update; steps of episodes still running are kept and used once their episode ends, so no env step is
wasted and none is used twice.
"""

from __future__ import annotations

import gymnasium as gym
import torch
from torch import Tensor

from rlkit.agents.base import Agent, register_agent
from rlkit.agents.common import Policy, check_policy_spaces, stack_steps, truncate_at_last_step, unstack_steps
from rlkit.agents.networks import network_options, q_or_policy_network
from rlkit.agents.normalize import make_obs_norm
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError
from rlkit.optim import Adam

BASELINES = ("none", "standardize", "time", "value")
FIELDS = ("obs", "action", "reward", "done")


def discounted_returns(reward: Tensor, done: Tensor, gamma: float) -> Tensor:
    """u_t = r_t + γ·(1 − done_t)·u_{t+1} over a [T, N] block, backwards; u restarts at each episode end.

    Rows of an episode that has not finished by row T−1 get a truncated sum; callers mask them out.
    """
    returns = torch.empty_like(reward)
    running = torch.zeros_like(reward[0])
    for t in range(reward.shape[0] - 1, -1, -1):
        running = reward[t] + gamma * (1.0 - done[t]) * running
        returns[t] = running
    return returns


def episode_complete(done: Tensor) -> Tensor:
    """[T, N] bool: True where the step's episode ends within the block (some done at or after it)."""
    return done.flip(0).cummax(0).values.flip(0).bool()


def episode_step(done: Tensor) -> Tensor:
    """[T, N] long: each row's time step within its episode, counted from 0 after each done (row 0 starts at 0).

    Exact for the rows the agent learns from: an episode is carried whole until it finishes (see ``update``).
    """
    step = torch.zeros_like(done, dtype=torch.long)
    for t in range(1, done.shape[0]):
        step[t] = (step[t - 1] + 1) * (1 - done[t - 1].long())
    return step


def time_baseline(returns: Tensor, step: Tensor) -> Tensor:
    """b_k for every row: the mean of ``returns`` over the rows at the same episode time step k."""
    size = int(step.max()) + 1
    total = returns.new_zeros(size).index_add_(0, step, returns)
    count = returns.new_zeros(size).index_add_(0, step, torch.ones_like(returns))
    return (total / count)[step]


def standardize(x: Tensor, eps: float = 1e-8) -> Tensor:
    """(x − mean x) / (std x + eps): a constant shift (a baseline) and a rescaling of the step size."""
    return (x - x.mean()) / (x.std(correction=0) + eps)


def reinforce_loss(log_prob: Tensor, weight: Tensor, num_episodes: int | Tensor) -> Tensor:
    """−(1/E)·Σ_t w_t·log π(a_t|s_t): the per-episode loss −Σ_t u_t log π averaged over E episodes."""
    return -(weight.detach() * log_prob).sum() / num_episodes


@register_agent("reinforce")
class Reinforce(Agent):
    """On-policy Monte-Carlo policy gradient; softmax policy for Discrete, Gaussian for Box actions."""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, device: torch.device, *,
                 gamma: float = 0.99, lr: float = 0.01, rollout_steps: int = 128,
                 baseline: str = "standardize",
                 value_lr: float = 0.01, value_steps: int = 1, log_std_init: float = 0.0,
                 max_grad_norm: float | None = None,
                 lr_decay_steps: int | None = None, normalize_obs: bool = False,
                 normalize_obs_steps: int | None = None, entropy_coef: float = 0.0,
                 network: dict | None = None) -> None:
        super().__init__(observation_space, action_space, device)
        if baseline not in BASELINES:
            raise ConfigError(f"reinforce baseline={baseline!r} is not one of {', '.join(BASELINES)}")
        net = network_options(network)
        self.policy = Policy(observation_space, action_space, net, log_std_init).to(device)
        self.policy_opt = Adam(self.policy.parameters(), lr=lr)
        self.obs_norm = make_obs_norm("reinforce", observation_space, normalize_obs, device)
        self.obs_norm_steps = normalize_obs_steps
        if baseline == "value":
            self.value = q_or_policy_network(observation_space, 1, net).to(device)
            self.value_opt = Adam(self.value.parameters(), lr=value_lr)
        self.gamma, self.rollout_steps, self.baseline = gamma, rollout_steps, baseline
        self.max_grad_norm, self.entropy_coef, self.value_steps = max_grad_norm, entropy_coef, value_steps
        self.env_steps = self.vector_steps = 0
        self.clear()
        self.decay_learning_rates(lr_decay_steps)

    def clear(self) -> None:
        """Forget stored steps: the pending list, and the carried rows of episodes not yet finished."""
        self.pending: list[tuple[Tensor, ...]] = []
        self.carry: dict[str, Tensor] | None = None  # rows kept from the last update (incl. "fresh" mask)

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        check_policy_spaces("reinforce", observation_space, action_space)

    @torch.no_grad()
    def act(self, obs: Tensor, explore: bool = True) -> Tensor:
        obs = self.normalized(obs)
        return self.policy.sample(obs) if explore else self.policy.mode(obs)

    def observe(self, transition: Transition) -> None:
        self.track_observations(transition.obs)
        self.pending.append(tuple(getattr(transition, name) for name in FIELDS))
        self.env_steps += transition.reward.shape[0]
        self.vector_steps += 1

    def rows(self) -> dict[str, Tensor]:
        """All stored steps as [T, N, ...] tensors: the carried rows, then the pending ones (all fresh)."""
        new = {name: torch.stack([step[i] for step in self.pending]) for i, name in enumerate(FIELDS)}
        new["fresh"] = torch.ones_like(new["done"], dtype=torch.bool)
        if self.carry is None:
            return new
        return {name: torch.cat([self.carry[name], new[name]]) for name in new}

    def update(self) -> dict[str, Tensor] | None:
        if self.vector_steps % self.rollout_steps:
            return None
        rows = self.rows()
        self.pending = []
        complete = episode_complete(rows["done"])
        use = complete & rows["fresh"]
        incomplete_rows = (~complete).any(1)
        first_kept = int(incomplete_rows.float().argmax()) if bool(incomplete_rows.any()) else len(complete)
        self.carry = {name: value[first_kept:] for name, value in rows.items()}
        self.carry["fresh"] = ~complete[first_kept:]  # what was complete is used now, never again
        if not bool(use.any()):
            return None
        self.anneal_learning_rates()
        returns = discounted_returns(rows["reward"], rows["done"], self.gamma)[use]
        obs, action = self.normalized(rows["obs"][use]), rows["action"][use]
        num_episodes = rows["done"][use].sum()
        baseline = time_baseline(returns, episode_step(rows["done"])[use]) if self.baseline == "time" else None
        return self.learn(obs, action, returns, num_episodes, baseline)

    compiled_steps = ("learn",)

    def learn(self, obs: Tensor, action: Tensor, returns: Tensor, num_episodes: Tensor,
              time_baseline: Tensor | None = None) -> dict[str, Tensor]:
        """One gradient step on the steps of ``num_episodes`` complete episodes (and one on V if learned)."""
        metrics = {"charts/return_mean": returns.mean()}
        weight = returns
        if self.baseline == "standardize":
            weight = standardize(returns)
        elif self.baseline == "time":
            weight = standardize(returns - time_baseline)
        elif self.baseline == "value":
            v = self.value(obs).squeeze(-1)
            weight = returns - v.detach()  # the baseline is V before this update's regression steps
            for step in range(self.value_steps):
                if step:
                    v = self.value(obs).squeeze(-1)
                value_loss = 0.5 * (v - returns).pow(2).mean()
                self.value_opt.zero_grad(set_to_none=True)
                value_loss.backward()
                self.value_opt.step()
            metrics["losses/value_loss"] = value_loss.detach()
        out = self.policy(obs)
        loss = reinforce_loss(self.policy.log_prob_of(out, action), weight, num_episodes)
        entropy = self.policy.entropy(out)
        if self.entropy_coef:
            loss = loss - self.entropy_coef * entropy.sum() / num_episodes
        metrics["losses/entropy"] = entropy.detach().mean()
        self.policy_opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.policy.parameters(), self.max_grad_norm, foreach=True)
        self.policy_opt.step()
        metrics["losses/policy_loss"] = loss.detach()
        return metrics

    def envs_restarted(self) -> None:
        """End the running episodes at the last stored step: the next update uses them as truncated ones."""
        if self.pending:
            self.pending = truncate_at_last_step(self.pending, FIELDS)
        elif self.carry is not None:
            self.carry["done"] = self.carry["done"].clone()
            self.carry["done"][-1] = 1.0

    def extra_state(self) -> dict:
        """Counters and the steps of episodes still running (they are used once their episode ends)."""
        return {"env_steps": self.env_steps, "vector_steps": self.vector_steps,
                "pending": stack_steps(self.pending, FIELDS), "carry": self.carry}

    def load_extra_state(self, state: dict) -> None:
        self.env_steps, self.vector_steps = state["env_steps"], state["vector_steps"]
        self.clear()
        self.pending = unstack_steps(state.get("pending"), FIELDS, self.device)
        if state.get("carry") is not None:
            self.carry = {name: value.to(self.device) for name, value in state["carry"].items()}
