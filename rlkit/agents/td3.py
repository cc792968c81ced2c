"""TD3: DDPG with its three refinements on (Fujimoto, van Hoof & Meger, 2018), docs/pages/agents/td3.md.

The code is DDPG's (rlkit/agents/ddpg.py); only the defaults differ. Two critics learn toward the smaller of their
targets' estimates, y = r + γ·(1 − terminated)·min(q₁′, q₂′)(s′, ã′), at a smoothed target action
ã′ = clip(π′(s′) + clip(ε, −c, c), low, high), ε ~ N(0, σ̃²), σ̃ and c in units of the action half-range; the actor
and the target networks step once every ``policy_delay`` critic updates. Defaults are CleanRL's
``td3_continuous_action`` (its 256×256 networks come from conf/agent/td3.yaml's network override).
"""

from __future__ import annotations

import inspect

import gymnasium as gym
import torch

from rlkit.agents.base import register_agent
from rlkit.agents.ddpg import DDPG

# Where TD3's defaults differ from DDPG's; every other option and default is DDPG's.
TD3_DEFAULTS = {
    "gamma": 0.99, "actor_lr": 3e-4, "critic_lr": 3e-4, "batch_size": 256, "buffer_size": 1_000_000,
    "learning_starts": 25_000, "twin_critics": True, "target_policy_noise": 0.2, "policy_delay": 2,
}


@register_agent("td3")
class TD3(DDPG):
    """DDPG with twin critics, target policy smoothing and delayed policy updates switched on."""

    agent_name = "td3"

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, device: torch.device,
                 **options) -> None:
        super().__init__(observation_space, action_space, device, **{**TD3_DEFAULTS, **options})


# DDPG's signature with TD3's defaults: what the config schema, resume checks and --help read as td3's options.
_ddpg = inspect.signature(DDPG.__init__)
TD3.__init__.__signature__ = _ddpg.replace(parameters=[  # type: ignore[attr-defined]
    p.replace(default=TD3_DEFAULTS[p.name]) if p.name in TD3_DEFAULTS else p for p in _ddpg.parameters.values()])
