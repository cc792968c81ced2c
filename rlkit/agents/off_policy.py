"""The replay schedule DQN and DDPG share: store every transition, learn from uniform minibatches."""

from __future__ import annotations

from typing import Any

from torch import Tensor

from rlkit.agents.base import Agent
from rlkit.buffers import ReplayBuffer
from rlkit.envs.vector import Transition


class OffPolicyAgent(Agent):
    """After ``learning_starts`` env steps, every ``train_freq`` vector steps, ``gradient_steps`` calls of
    ``update_once`` on minibatches of ``batch_size`` drawn from ``buffer``. Subclasses set those attributes
    (``init_replay``) and write ``update_once``; the counters and the buffer are checkpointed here."""

    buffer: ReplayBuffer

    def init_replay(self, buffer: ReplayBuffer, batch_size: int, learning_starts: int, train_freq: int,
                    gradient_steps: int) -> None:
        self.buffer, self.batch_size, self.learning_starts = buffer, batch_size, learning_starts
        self.train_freq, self.gradient_steps = train_freq, gradient_steps
        self.env_steps = self.vector_steps = 0

    def observe(self, transition: Transition) -> None:
        self.store(transition)
        self.env_steps += transition.reward.shape[0]
        self.vector_steps += 1

    def store(self, transition: Transition) -> None:
        """Put a vector step into replay (dqn's ``td_steps`` turns it into an n-step transition first)."""
        self.buffer.add(transition)

    def update(self) -> dict[str, Tensor] | None:
        if self.env_steps < self.learning_starts or self.vector_steps % self.train_freq or not len(self.buffer):
            return None
        self.anneal_learning_rates()
        for _ in range(self.gradient_steps):
            metrics = self.update_once(self.buffer.sample(self.batch_size))
        return metrics

    def update_once(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """One gradient step on a minibatch; returns its metrics as tensors."""
        raise NotImplementedError

    def extra_state(self) -> dict[str, Any]:
        return {"env_steps": self.env_steps, "vector_steps": self.vector_steps, "buffer": self.buffer.state_dict()}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        self.env_steps, self.vector_steps = state["env_steps"], state["vector_steps"]
        self.buffer.load_state_dict(state["buffer"])
