"""``rlkit.load``: a trained agent as a callable policy, for a script or a notebook.

    policy = rlkit.load("runs/ddpg-Pendulum-v1-s0/2026-...")   # best.pt of that run
    action = policy(obs)                                       # one observation → one action the env accepts
    actions = policy(batch_of_obs)                             # or a batch → a batch
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import Tensor, nn

from rlkit.agents import Agent
from rlkit.envs.vector import observation_dtype
from rlkit.rundir import restore


def obs_tensor(obs: Any, space: gym.Space, device: torch.device) -> Tensor:
    """Observations as the vector env hands them to agents (``observation_dtype``), on ``device``."""
    if isinstance(obs, Tensor):
        obs = obs.cpu().numpy()
    return torch.as_tensor(np.asarray(obs, dtype=observation_dtype(space)), device=device)


class ActingNetwork(nn.Module):
    """The agent's deterministic policy as one module: observations in, actions out (argmax of Q for dqn, the
    actor for ddpg, the most likely action for reinforce and ac). It is what ``rlkit.export`` writes."""

    def __init__(self, agent: Agent) -> None:
        super().__init__()
        self.networks = nn.ModuleDict({k: v for k, v in agent._stateful().items() if isinstance(v, nn.Module)})
        self.agent = [agent]  # a list: not registered as a submodule twice

    def forward(self, obs: Tensor) -> Tensor:
        return self.agent[0].act(obs, explore=False)


class Policy:
    """A trained agent behind ``policy(obs)``: NumPy or torch in, NumPy actions out, deterministic by default."""

    def __init__(self, agent: Agent, config: dict[str, Any], checkpoint: Path) -> None:
        self.agent, self.config, self.checkpoint = agent, config, checkpoint
        self.observation_space, self.action_space = agent.observation_space, agent.action_space

    def act(self, obs: Any, deterministic: bool = True) -> np.ndarray | int:
        """Action(s) for one observation or a batch; ``deterministic=False`` samples the exploring policy."""
        x = obs_tensor(obs, self.observation_space, self.agent.device)
        single = tuple(x.shape) == tuple(self.observation_space.shape)
        if single:
            x = x.unsqueeze(0)
        with torch.no_grad():
            action = self.agent.act(x, explore=not deterministic).cpu().numpy()
        if isinstance(self.action_space, gym.spaces.Discrete):
            action = action.astype(np.int64)
            return int(action[0]) if single else action
        action = action.astype(self.action_space.dtype)
        return action[0] if single else action

    __call__ = act

    def network(self) -> ActingNetwork:
        return ActingNetwork(self.agent)


def load(path: str | Path, which: str = "best", device: str | torch.device = "cpu") -> Policy:
    """The policy of a run dir (its ``best.pt`` or ``last.pt``) or of a checkpoint file."""
    restored = restore(path, which, device)
    return Policy(restored.agent, restored.config, restored.checkpoint)
