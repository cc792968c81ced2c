"""DDPG: deterministic actor-critic trained by the deterministic policy gradient (Lillicrap et al., 2016).

Critic q(s,a;w) learns by TD toward y = r + γ·q(s′, π(s′;θ⁻); w⁻); the actor π(s;θ) ascends
∇θ q(s, π(s;θ); w) = ∂π(s;θ)/∂θ · ∂q(s,a;w)/∂a. Target networks (θ⁻, w⁻) trail the online ones by Polyak
averaging; exploration adds noise to the deterministic action: Gaussian, or Ornstein–Uhlenbeck (noise_type=ou,
rlkit/agents/noise.py), whose pushes last for many steps.
"""

from __future__ import annotations

import copy

import gymnasium as gym
import torch
from torch import Tensor, nn

from rlkit.agents.base import register_agent
from rlkit.agents.networks import (
    check_observations,
    feature_dim,
    network_options,
    observation_encoder,
    q_or_policy_network,
)
from rlkit.agents.noise import NOISE_TYPES, make_noise
from rlkit.agents.off_policy import OffPolicyAgent
from rlkit.agents.targets import soft_update, td_target
from rlkit.buffers import ReplayBuffer
from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError
from rlkit.nn import MLP
from rlkit.optim import Adam


def critic_loss(q: Tensor, target: Tensor) -> Tensor:
    """Mean of ½(q − y)² over the batch; y is a constant (no gradient flows into the targets)."""
    return 0.5 * (q - target.detach()).pow(2).mean()


def actor_loss(q_of_policy: Tensor) -> Tensor:
    """−mean q(s, π(s)): descending it moves θ along ∂π/∂θ · ∂q/∂a, the deterministic policy gradient."""
    return -q_of_policy.mean()


def set_requires_grad(params: list[Tensor], flag: bool) -> None:
    for p in params:
        p.requires_grad_(flag)


class Actor(nn.Module):
    """π(s;θ): an MLP with tanh output (after an encoder for images), rescaled from [−1, 1] to the bounds."""

    def __init__(self, observation_space: gym.spaces.Box, low: Tensor, high: Tensor, net: dict) -> None:
        super().__init__()
        self.body = q_or_policy_network(observation_space, low.numel(), net, out_activation="tanh")
        self.register_buffer("scale", (high - low) / 2)
        self.register_buffer("center", (high + low) / 2)

    def forward(self, obs: Tensor) -> Tensor:
        return self.center + self.scale * self.body(obs)


class Critic(nn.Module):
    """q(s,a;w): an MLP over the concatenated state (or, for images, its encoder features) and action."""

    def __init__(self, observation_space: gym.spaces.Box, act_dim: int, net: dict) -> None:
        super().__init__()
        self.encoder = observation_encoder(observation_space, net)
        obs_dim = feature_dim(observation_space, self.encoder)
        self.body = MLP(obs_dim + act_dim, 1, net["hidden"], net["activation"], impl=net["impl"])

    def forward(self, obs: Tensor, action: Tensor) -> Tensor:
        if self.encoder is not None:
            obs = self.encoder(obs)
        return self.body(torch.cat([obs, action], dim=-1)).squeeze(-1)


@register_agent("ddpg")
class DDPG(OffPolicyAgent):
    """Off-policy DDPG for Box action spaces, with a replay buffer on the agent's device."""

    def __init__(
        self,
        observation_space: gym.Space,
        action_space: gym.Space,
        device: torch.device,
        *,
        gamma: float = 0.98,
        tau: float = 0.005,
        actor_lr: float = 1e-3,
        critic_lr: float = 1e-3,
        batch_size: int = 128,
        buffer_size: int = 100_000,
        learning_starts: int = 1000,
        train_freq: int = 1,
        gradient_steps: int = 1,
        exploration_noise: float = 0.1,
        noise_type: str = "gaussian",
        ou_theta: float = 0.15,
        ou_dt: float = 1e-2,
        lr_decay_steps: int | None = None,
        network: dict | None = None,
    ) -> None:
        super().__init__(observation_space, action_space, device)
        if noise_type not in NOISE_TYPES:
            raise ConfigError(f"ddpg noise_type={noise_type!r} is not one of {', '.join(NOISE_TYPES)}")
        net = network_options(network)
        low = torch.as_tensor(action_space.low, dtype=torch.float32, device=device)
        high = torch.as_tensor(action_space.high, dtype=torch.float32, device=device)
        self.actor = Actor(observation_space, low, high, net).to(device)
        self.critic = Critic(observation_space, low.numel(), net).to(device)
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        # Parameter lists gathered once: walking the module tree every update costs more than the update math.
        self.critic_params = list(self.critic.parameters())
        self.soft_pairs = [
            (list(self.critic_target.parameters()), self.critic_params),
            (list(self.actor_target.parameters()), list(self.actor.parameters())),
        ]
        self.actor_opt = Adam(self.actor.parameters(), lr=actor_lr)
        self.critic_opt = Adam(self.critic.parameters(), lr=critic_lr)
        self.init_replay(ReplayBuffer.for_space(buffer_size, observation_space, action_space.shape, device),
                         batch_size, learning_starts, train_freq, gradient_steps)
        self.low, self.high = low, high
        self.noise = make_noise(noise_type, exploration_noise * self.actor.scale, ou_theta, ou_dt)
        self.gamma, self.tau = gamma, tau
        self.decay_learning_rates(lr_decay_steps)

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        if not isinstance(action_space, gym.spaces.Box) or len(action_space.shape) != 1:
            raise ConfigError(
                f"ddpg drives continuous Box action spaces of rank 1, not {action_space}; "
                "use dqn, reinforce or ac for discrete actions"
            )
        if not (action_space.is_bounded("both")):
            raise ConfigError(f"ddpg needs finite action bounds to squash its actions, got {action_space}")
        check_observations("ddpg", observation_space)

    @torch.no_grad()
    def act(self, obs: Tensor, explore: bool = True) -> Tensor:
        if explore and self.env_steps < self.learning_starts:
            return self.low + (self.high - self.low) * torch.rand(
                (obs.shape[0], self.low.numel()), device=self.device
            )
        action = self.actor(obs)
        if explore:
            action = (action + self.noise(action)).clamp(self.low, self.high)
        return action

    def observe(self, transition: Transition) -> None:
        super().observe(transition)
        self.noise.reset(transition.done)  # a new episode starts its noise afresh

    compiled_steps = ("critic_step", "actor_step")

    def update_once(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        metrics = self.critic_step(batch)
        # The actor step needs ∂q/∂a only: freezing w skips the critic's weight gradients in this backward.
        set_requires_grad(self.critic_params, False)
        metrics["losses/actor_loss"] = self.actor_step(batch)
        set_requires_grad(self.critic_params, True)
        for target, online in self.soft_pairs:
            soft_update(target, online, self.tau)
        return metrics

    def critic_step(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """TD target, critic loss, backward and Adam step (tensors only: ``compile=true`` captures it)."""
        with torch.no_grad():
            next_q = self.critic_target(batch["next_obs"], self.actor_target(batch["next_obs"]))
            target = td_target(batch["reward"], next_q, batch["terminated"], self.gamma)
        q = self.critic(batch["obs"], batch["action"])
        loss_q = critic_loss(q, target)
        self.critic_opt.zero_grad(set_to_none=True)
        loss_q.backward()
        self.critic_opt.step()
        return {"losses/critic_loss": loss_q.detach(), "losses/q_mean": q.detach().mean()}

    def extra_state(self) -> dict:
        return {**super().extra_state(), "noise": self.noise.state_dict()}

    def load_extra_state(self, state: dict) -> None:
        super().load_extra_state(state)
        self.noise.load_state_dict(state.get("noise", {}))

    def actor_step(self, batch: dict[str, Tensor]) -> Tensor:
        """The deterministic policy gradient step through the (frozen) critic; returns the actor loss."""
        loss_pi = actor_loss(self.critic(batch["obs"], self.actor(batch["obs"])))
        self.actor_opt.zero_grad(set_to_none=True)
        loss_pi.backward()
        self.actor_opt.step()
        return loss_pi.detach()
