"""TD3: DDPG with its three refinements on (Fujimoto, van Hoof & Meger, 2018), docs/pages/agents/td3.md.

The code is DDPG's (rlkit/agents/ddpg.py); only the defaults differ. Two critics learn toward the smaller of their
targets' estimates, y = r + γ·(1 − terminated)·min(q₁′, q₂′)(s′, ã′), at a smoothed target action
ã′ = clip(π′(s′) + clip(ε, −c, c), low, high), ε ~ N(0, σ̃²), σ̃ and c in units of the action half-range; the actor
and the target networks step once every ``policy_delay`` critic updates. Defaults are CleanRL's
``td3_continuous_action`` (its 256×256 networks come from conf/agent/td3.yaml's network override).
"""

from __future__ import annotations

import gymnasium as gym
import torch

from rlkit.agents.base import register_agent
from rlkit.agents.ddpg import DDPG


@register_agent("td3")
class TD3(DDPG):
    """DDPG with twin critics, target policy smoothing and delayed policy updates switched on."""

    agent_name = "td3"

    def __init__(
        self,
        observation_space: gym.Space,
        action_space: gym.Space,
        device: torch.device,
        *,
        gamma: float = 0.99,
        tau: float = 0.005,
        actor_lr: float = 3e-4,
        critic_lr: float = 3e-4,
        batch_size: int = 256,
        buffer_size: int = 1_000_000,
        learning_starts: int = 25_000,
        train_freq: int = 1,
        gradient_steps: int = 1,
        exploration_noise: float = 0.1,
        noise_type: str = "gaussian",
        ou_theta: float = 0.15,
        ou_dt: float = 1e-2,
        twin_critics: bool = True,
        target_policy_noise: float = 0.2,
        target_noise_clip: float = 0.5,
        policy_delay: int = 2,
        lr_decay_steps: int | None = None,
        network: dict | None = None,
    ) -> None:
        super().__init__(
            observation_space, action_space, device, gamma=gamma, tau=tau, actor_lr=actor_lr, critic_lr=critic_lr,
            batch_size=batch_size, buffer_size=buffer_size, learning_starts=learning_starts, train_freq=train_freq,
            gradient_steps=gradient_steps, exploration_noise=exploration_noise, noise_type=noise_type,
            ou_theta=ou_theta, ou_dt=ou_dt, twin_critics=twin_critics, target_policy_noise=target_policy_noise,
            target_noise_clip=target_noise_clip, policy_delay=policy_delay, lr_decay_steps=lr_decay_steps,
            network=network,
        )
