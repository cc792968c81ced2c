"""Actor-critic with an action-value critic: actor π(a|s;θ), critic q(s,a;w), both learned online.

Each iteration: a_t ~ π(·|s_t) is executed, giving r_t and s_{t+1}; a fresh ã_{t+1} ~ π(·|s_{t+1}) is sampled
(not executed) and
    δ_t = q(s_t,a_t;w) − (r_t + γ·q(s_{t+1},ã_{t+1};w))     (γ·q dropped where s_{t+1} is terminal)
    critic  w ← w − α·δ_t·∂q(s_t,a_t;w)/∂w                   (descent on ½δ_t², the target held constant)
    actor   θ ← θ + β·A_t·∂log π(a_t|s_t;θ)/∂θ
with A_t = q(s_t,a_t;w) for ``advantage="q"`` (the algorithm as stated) or, for ``advantage="baseline"``,
A_t = q(s_t,a_t;w) − b(s_t) with b(s) = Σ_a π(a|s)·q(s,a;w) ≈ V(s) for Discrete actions and b(s) = q(s,μ(s);w)
(the Gaussian's mean action) for Box actions. Any b that does not depend on a_t leaves the gradient unbiased,
E_a[∇θ log π(a|s)·b(s)] = b(s)·∇θ Σ_a π(a|s) = b(s)·∇θ 1 = 0, and removing the state's overall level from q
shrinks the variance of the estimate (docs/pages/agents/ac.md). ``advantage="target"`` uses A_t = y_t − b(s_t), the
critic's TD target (a sampled estimate of q(s_t,a_t)) in place of q(s_t,a_t;w): the same baseline, and it does
not rely on the critic ranking actions it has rarely tried. The batch is all sub-envs of the vector env over
``n_steps`` vector steps; ``nstep=True`` replaces the one-step targets by rewards summed to the rollout's end
plus one bootstrap (``nstep_targets``). α and β are Adam step sizes; ``entropy_coef`` adds an entropy bonus.

``normalize_advantage=True`` shifts and scales each update's A_t to mean 0, std 1 over the batch before the
actor step. The step's size then no longer follows the size of the returns (which grow by hundreds as a
LunarLander policy learns to land), and the critic's step is unchanged; agents_zoo/ac/LunarLander-v3.yaml has
the comparison.
"""

from __future__ import annotations

import gymnasium as gym
import torch
from torch import Tensor, nn

from rlkit.agents.base import Agent, register_agent
from rlkit.agents.common import (
    Policy,
    categorical_log_prob,
    check_policy_spaces,
    gaussian_log_prob,
    stack_steps,
    truncate_at_last_step,
    unstack_steps,
)
from rlkit.agents.networks import feature_dim, network_options, observation_encoder
from rlkit.agents.normalize import make_obs_norm
from rlkit.agents.targets import td_target
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError
from rlkit.nn import MLP
from rlkit.optim import Adam

ADVANTAGES = ("q", "baseline", "target")
FIELDS = ("obs", "action", "reward", "next_obs", "terminated", "done")


def expected_q(logits: Tensor, q_all: Tensor) -> Tensor:
    """Σ_a π(a|s)·q(s,a): the baseline for Discrete actions, the policy's value under the critic."""
    return (logits.softmax(-1) * q_all).sum(-1)


def actor_critic_losses(q: Tensor, target: Tensor, log_prob: Tensor, baseline: Tensor | float = 0.0,
                        q_estimate: Tensor | None = None,
                        normalize: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """The actor-critic step as two losses whose gradients are the updates above, batch-averaged.

    Returns (critic_loss, actor_loss, δ) with δ = q − y: critic_loss = mean ½δ² with y held constant, so
    ∂/∂w = mean δ·∂q/∂w; actor_loss = −mean A·log π with A = q − baseline held constant, so
    −∂/∂θ = mean A·∂log π/∂θ. ``normalize`` replaces A by (A − mean A)/(std A + 1e-8) over the batch.
    """
    delta = q - target.detach()
    critic_loss = 0.5 * delta.pow(2).mean()
    q_estimate = q if q_estimate is None else q_estimate
    advantage = (q_estimate - baseline).detach()
    if normalize:
        advantage = (advantage - advantage.mean()) / (advantage.std() + 1e-8)
    actor_loss = -(advantage * log_prob).mean()
    return critic_loss, actor_loss, delta.detach()


def nstep_targets(reward: Tensor, next_q: Tensor, terminated: Tensor, done: Tensor, gamma: float) -> Tensor:
    """Multi-step targets over a [T, N] rollout, backwards: G_t = r_t + γ·(1 − terminated_t)·B_t with
    B_t = q(s_{t+1}, ã_{t+1}) at an episode end or the rollout's last row, else G_{t+1}.

    Each step's target sums the rewards up to the rollout's end (or its episode's end) and bootstraps once
    there; a time-limit cut bootstraps from the true final state. With T = 1 it is the one-step target.
    """
    targets = torch.empty_like(reward)
    following = next_q[-1]
    for t in range(reward.shape[0] - 1, -1, -1):
        following = torch.where(done[t].bool(), next_q[t], following)
        following = td_target(reward[t], following, terminated[t], gamma)
        targets[t] = following
    return targets


class Critic(nn.Module):
    """q(s,a;w): one output per action for Discrete spaces (q(s,·) in one pass), else an MLP over [s, a].

    Images pass through an encoder first (rlkit/agents/networks.py); its features stand in for s.
    """

    def __init__(self, observation_space: gym.spaces.Box, action_space: gym.Space, net: dict) -> None:
        super().__init__()
        self.discrete = isinstance(action_space, gym.spaces.Discrete)
        self.encoder = observation_encoder(observation_space, net)
        obs_dim = feature_dim(observation_space, self.encoder)
        in_dim = obs_dim if self.discrete else obs_dim + int(action_space.shape[0])
        self.body = MLP(in_dim, int(action_space.n) if self.discrete else 1, net["hidden"], net["activation"],
                        impl=net["impl"])

    def features(self, obs: Tensor) -> Tensor:
        return obs if self.encoder is None else self.encoder(obs)

    def all_actions(self, obs: Tensor) -> Tensor:
        """q(s,·) for Discrete spaces: [B, |A|]."""
        return self.body(self.features(obs))

    def forward(self, obs: Tensor, action: Tensor) -> Tensor:
        if self.discrete:
            return self.body(self.features(obs)).gather(-1, action.long().unsqueeze(-1)).squeeze(-1)
        return self.body(torch.cat([self.features(obs), action], dim=-1)).squeeze(-1)


@register_agent("ac")
class ActorCritic(Agent):
    """On-policy actor-critic with a q(s,a) critic, batched over the vector env; Discrete and Box actions."""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, device: torch.device, *,
                 gamma: float = 0.99, actor_lr: float = 0.001, critic_lr: float = 0.001, n_steps: int = 1,
                 nstep: bool = False, advantage: str = "baseline", entropy_coef: float = 0.0,
                 log_std_init: float = 0.0, max_grad_norm: float | None = None,
                 lr_decay_steps: int | None = None, normalize_obs: bool = False,
                 normalize_obs_steps: int | None = None, normalize_advantage: bool = False,
                 network: dict | None = None) -> None:
        super().__init__(observation_space, action_space, device)
        if advantage not in ADVANTAGES:
            raise ConfigError(f"ac advantage={advantage!r} is not one of {', '.join(ADVANTAGES)}")
        net = network_options(network)
        self.actor = Policy(observation_space, action_space, net, log_std_init).to(device)
        self.critic = Critic(observation_space, action_space, net).to(device)
        self.obs_norm = make_obs_norm("ac", observation_space, normalize_obs, device)
        self.obs_norm_steps = normalize_obs_steps
        self.actor_opt = Adam(self.actor.parameters(), lr=actor_lr)
        self.critic_opt = Adam(self.critic.parameters(), lr=critic_lr)
        self.gamma, self.n_steps, self.nstep, self.advantage = gamma, n_steps, nstep, advantage
        self.max_grad_norm, self.entropy_coef = max_grad_norm, entropy_coef
        self.normalize_advantage = normalize_advantage
        self.env_steps = self.vector_steps = 0
        self.pending: list[tuple[Tensor, ...]] = []
        self.decay_learning_rates(lr_decay_steps)

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        check_policy_spaces("ac", observation_space, action_space)

    @torch.no_grad()
    def act(self, obs: Tensor, explore: bool = True) -> Tensor:
        obs = self.normalized(obs)
        return self.actor.sample(obs) if explore else self.actor.mode(obs)

    def observe(self, transition: Transition) -> None:
        self.track_observations(transition.obs)
        self.pending.append(tuple(getattr(transition, name) for name in FIELDS))
        self.env_steps += transition.reward.shape[0]
        self.vector_steps += 1

    def update(self) -> dict[str, Tensor] | None:
        if self.vector_steps % self.n_steps:
            return None
        batch = {name: torch.stack(column) for name, column in zip(FIELDS, zip(*self.pending, strict=True),
                                                                    strict=True)}  # [T, N, ...]
        self.pending = []
        steps, envs = batch["reward"].shape
        if self.normalize_advantage and steps * envs < 2:  # one advantage has no std: the step would be NaN
            raise ConfigError(f"ac normalize_advantage=true needs 2 or more transitions per update, got "
                              f"num_envs × n_steps = {envs} × {steps}; raise num_envs or agent.n_steps")
        self.anneal_learning_rates()
        obs, next_obs = self.normalized(batch["obs"]), self.normalized(batch["next_obs"])
        with torch.no_grad():
            next_action = self.actor.sample(next_obs)  # ã_{t+1} ~ π(·|s_{t+1}), never executed
            next_q = self.critic(next_obs, next_action)
            if self.nstep:
                target = nstep_targets(batch["reward"], next_q, batch["terminated"], batch["done"],
                                       self.gamma)
            else:
                target = td_target(batch["reward"], next_q, batch["terminated"], self.gamma)
        return self.update_once(obs.flatten(0, 1), batch["action"].flatten(0, 1), target.flatten())

    compiled_steps = ("update_once",)

    def update_once(self, obs: Tensor, action: Tensor, target: Tensor) -> dict[str, Tensor]:
        """One step of critic and actor on a flat batch of (s_t, a_t, y_t)."""
        out = self.actor(obs)
        if self.actor.discrete:
            q_all = self.critic.all_actions(obs)
            q = q_all.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)
            log_prob = categorical_log_prob(out, action)
            baseline = expected_q(out.detach(), q_all.detach()) if self.advantage != "q" else 0.0
        else:
            q = self.critic(obs, action)
            log_prob = gaussian_log_prob(out, self.actor.log_std, action)
            baseline = 0.0
            if self.advantage != "q":
                with torch.no_grad():
                    baseline = self.critic(obs, out.detach().clamp(self.actor.low, self.actor.high))
        critic_loss, actor_loss, delta = actor_critic_losses(q, target, log_prob, baseline,
                                                             target if self.advantage == "target" else None,
                                                             self.normalize_advantage)
        entropy = self.actor.entropy(out).mean()
        if self.entropy_coef:
            actor_loss = actor_loss - self.entropy_coef * entropy
        self.critic_opt.zero_grad(set_to_none=True)
        self.actor_opt.zero_grad(set_to_none=True)
        (critic_loss + actor_loss).backward()  # disjoint parameters: one backward serves both
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.actor.parameters(), self.max_grad_norm, foreach=True)
            torch.nn.utils.clip_grad_norm_(self.critic.parameters(), self.max_grad_norm, foreach=True)
        self.critic_opt.step()
        self.actor_opt.step()
        return {"losses/critic_loss": critic_loss.detach(), "losses/actor_loss": actor_loss.detach(),
                "losses/td_error_abs": delta.abs().mean(), "losses/q_mean": q.detach().mean(),
                "losses/entropy": entropy.detach()}

    def envs_restarted(self) -> None:
        self.pending = truncate_at_last_step(self.pending, FIELDS)

    def extra_state(self) -> dict:
        """Counters and the rollout collected so far (the next update uses it)."""
        return {"env_steps": self.env_steps, "vector_steps": self.vector_steps,
                "pending": stack_steps(self.pending, FIELDS)}

    def load_extra_state(self, state: dict) -> None:
        self.env_steps, self.vector_steps = state["env_steps"], state["vector_steps"]
        self.pending = unstack_steps(state.get("pending"), FIELDS, self.device)
