"""DDPG: deterministic actor-critic trained by the deterministic policy gradient (Lillicrap et al., 2016).

Critic q(s,a;w) learns by TD toward y = r + γ·q(s′, π(s′;θ⁻); w⁻); the actor π(s;θ) ascends
∇θ q(s, π(s;θ); w) = ∂π(s;θ)/∂θ · ∂q(s,a;w)/∂a. Target networks (θ⁻, w⁻) trail the online ones by Polyak
averaging; exploration adds noise to the deterministic action: Gaussian, or Ornstein–Uhlenbeck (noise_type=ou,
rlkit/agents/noise.py), whose pushes last for many steps.

TD3's three refinements (Fujimoto et al., 2018) are options here, off by default, so ``agent=td3``
(rlkit/agents/td3.py) is this code with them on: ``twin_critics`` (two critics, the target takes their minimum),
``target_policy_noise`` / ``target_noise_clip`` (the target action smoothed by clipped noise) and ``policy_delay``
(the actor and the target networks move once every that many critic updates).
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
from rlkit.agents.targets import min_td_target, soft_update
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


def smoothed_target_action(action: Tensor, eps: Tensor, sigma: float, clip: float, scale: Tensor, low: Tensor,
                           high: Tensor) -> Tensor:
    """ã′ = clip(π′(s′) + clip(σ·ε, −c, c)·scale, low, high), ε ~ N(0, 1): target policy smoothing.

    σ and c are in units of the action half-range ``scale``; the noise spreads the target over nearby actions, so
    the critic cannot fit a narrow peak of its own error at π′(s′), and the result stays inside the bounds."""
    return (action + (sigma * eps).clamp(-clip, clip) * scale).clamp(low, high)


def actor_update_due(critic_updates: int, policy_delay: int) -> bool:
    """Whether the actor and the target networks step after critic update number ``critic_updates`` (counted from
    0): on updates 0, d, 2d, ... with d = ``policy_delay``, so the critic gets d steps toward each policy."""
    return critic_updates % policy_delay == 0


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

    agent_name = "ddpg"

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
        twin_critics: bool = False,
        target_policy_noise: float = 0.0,
        target_noise_clip: float = 0.5,
        policy_delay: int = 1,
        lr_decay_steps: int | None = None,
        network: dict | None = None,
    ) -> None:
        super().__init__(observation_space, action_space, device)
        if noise_type not in NOISE_TYPES:
            raise ConfigError(f"{self.agent_name} noise_type={noise_type!r} is not one of {', '.join(NOISE_TYPES)}")
        if policy_delay < 1:
            raise ConfigError(f"agent.policy_delay={policy_delay}: a positive integer")
        net = network_options(network)
        low = torch.as_tensor(action_space.low, dtype=torch.float32, device=device)
        high = torch.as_tensor(action_space.high, dtype=torch.float32, device=device)
        self.actor = Actor(observation_space, low, high, net).to(device)
        self.critic = Critic(observation_space, low.numel(), net).to(device)
        self.critics = [self.critic]
        if twin_critics:  # a second critic, initialised independently: its errors are not the first one's
            self.critic2 = Critic(observation_space, low.numel(), net).to(device)
            self.critics.append(self.critic2)
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        self.critic_targets = [self.critic_target]
        if twin_critics:
            self.critic2_target = copy.deepcopy(self.critic2).requires_grad_(False)
            self.critic_targets.append(self.critic2_target)
        # Parameter lists gathered once: walking the module tree every update costs more than the update math.
        self.critic_params = list(self.critic.parameters())  # the critic the actor climbs (frozen in its step)
        self.soft_pairs = [
            (list(self.critic_target.parameters()), self.critic_params),
            (list(self.actor_target.parameters()), list(self.actor.parameters())),
        ]
        if twin_critics:
            self.soft_pairs.append((list(self.critic2_target.parameters()), list(self.critic2.parameters())))
        self.actor_opt = Adam(self.actor.parameters(), lr=actor_lr)
        self.critic_opt = Adam([p for critic in self.critics for p in critic.parameters()], lr=critic_lr)
        self.init_replay(ReplayBuffer.for_space(buffer_size, observation_space, action_space.shape, device),
                         batch_size, learning_starts, train_freq, gradient_steps)
        self.low, self.high = low, high
        self.noise = make_noise(noise_type, exploration_noise * self.actor.scale, ou_theta, ou_dt)
        self.gamma, self.tau = gamma, tau
        self.target_policy_noise, self.target_noise_clip = target_policy_noise, target_noise_clip
        self.policy_delay = policy_delay
        self.critic_updates = 0  # checkpointed: a resumed run keeps the delay's phase
        self.last_actor_loss = torch.zeros((), device=device)  # reported on the updates the actor skips
        self.decay_learning_rates(lr_decay_steps)

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        if not isinstance(action_space, gym.spaces.Box) or len(action_space.shape) != 1:
            raise ConfigError(
                f"{cls.agent_name} drives continuous Box action spaces of rank 1, not {action_space}; "
                "use dqn, reinforce or ac for discrete actions"
            )
        if not (action_space.is_bounded("both")):
            raise ConfigError(f"{cls.agent_name} needs finite action bounds to squash its actions, got {action_space}")
        check_observations(cls.agent_name, observation_space)

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
        if self.target_policy_noise > 0:  # drawn here, in eager code: a compiled step stays a function of its inputs
            batch = {**batch, "target_eps": torch.randn_like(batch["action"])}
        metrics = self.critic_step(batch)
        if actor_update_due(self.critic_updates, self.policy_delay):
            # The actor step needs ∂q/∂a only: freezing w skips the critic's weight gradients in this backward.
            set_requires_grad(self.critic_params, False)
            loss_pi = self.actor_step(batch)
            set_requires_grad(self.critic_params, True)
            for target, online in self.soft_pairs:
                soft_update(target, online, self.tau)
            # Kept for the updates in between, so a copy: a CUDA-graph replay reuses its outputs' memory.
            self.last_actor_loss = loss_pi if self.policy_delay == 1 else loss_pi.clone()
        self.critic_updates += 1
        metrics["losses/actor_loss"] = self.last_actor_loss
        return metrics

    def critic_step(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """TD target, critic loss, backward and Adam step (tensors only: ``compile=true`` captures it)."""
        with torch.no_grad():
            next_obs = batch["next_obs"]
            next_action = self.actor_target(next_obs)
            if "target_eps" in batch:
                next_action = smoothed_target_action(next_action, batch["target_eps"], self.target_policy_noise,
                                                     self.target_noise_clip, self.actor.scale, self.low, self.high)
            next_qs = [critic(next_obs, next_action) for critic in self.critic_targets]
            target = min_td_target(batch["reward"], next_qs, batch["terminated"], self.gamma)
        q = self.critic(batch["obs"], batch["action"])
        loss_q = critic_loss(q, target)
        for critic in self.critics[1:]:  # each critic regresses on the same (minimum) target
            loss_q = loss_q + critic_loss(critic(batch["obs"], batch["action"]), target)
        self.critic_opt.zero_grad(set_to_none=True)
        loss_q.backward()
        self.critic_opt.step()
        return {"losses/critic_loss": loss_q.detach(), "losses/q_mean": q.detach().mean()}

    def extra_state(self) -> dict:
        return {**super().extra_state(), "noise": self.noise.state_dict(), "critic_updates": self.critic_updates}

    def load_extra_state(self, state: dict) -> None:
        super().load_extra_state(state)
        self.noise.load_state_dict(state.get("noise", {}))
        self.critic_updates = state.get("critic_updates", 0)  # checkpoints from before policy_delay: phase 0

    def actor_step(self, batch: dict[str, Tensor]) -> Tensor:
        """The deterministic policy gradient step through the (frozen) critic; returns the actor loss."""
        loss_pi = actor_loss(self.critic(batch["obs"], self.actor(batch["obs"])))
        self.actor_opt.zero_grad(set_to_none=True)
        loss_pi.backward()
        self.actor_opt.step()
        return loss_pi.detach()
