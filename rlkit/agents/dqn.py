"""DQN: action values learned by TD from replayed transitions (Mnih et al., 2015), for Discrete actions.

q_t = Q(s_t, a_t; w) regresses toward y_t = r_t + γ·max_a Q(s_{t+1}, a; w⁻), where w⁻ is a target network
that trails w (a hard copy every ``target_update_interval`` gradient steps, or Polyak averaging with τ < 1).
``double=True`` picks the next action with the online net and scores it with the target net (van Hasselt et
al., 2016), which removes most of the max-operator's overestimation. ``td_steps=n`` sums n rewards before the
bootstrap, y_t = Σ_{i<n} γ^i r_{t+i} + γ^n·max_a Q(s_{t+n}, a; w⁻) (rlkit/agents/nstep.py).
``prioritized=True`` replays transitions in proportion to their last TD error and weights their loss to undo
the bias (rlkit/prioritized.py). Behaviour is ε-greedy, with ε annealed linearly.
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from rlkit.agents.base import register_agent
from rlkit.agents.networks import check_observations, network_options, q_or_policy_network
from rlkit.agents.nstep import NStepWindow
from rlkit.agents.off_policy import OffPolicyAgent
from rlkit.agents.targets import soft_update, td_target
from rlkit.buffers import ReplayBuffer
from rlkit.envs.vector import Transition, observation_dtype
from rlkit.errors import ConfigError
from rlkit.optim import Adam
from rlkit.prioritized import PrioritizedReplay

LOSSES = ("mse", "huber")


def next_state_value(next_q_target: Tensor, next_q_online: Tensor | None = None) -> Tensor:
    """max_a Q(s′,a;w⁻), or Q(s′, argmax_a Q(s′,a;w), w⁻) when the online values are given (double DQN)."""
    if next_q_online is None:
        return next_q_target.max(dim=-1).values
    return next_q_target.gather(-1, next_q_online.argmax(dim=-1, keepdim=True)).squeeze(-1)


def q_loss(q: Tensor, target: Tensor, kind: str = "mse", weight: Tensor | None = None) -> Tensor:
    """Batch mean of ½(q − y)² ("mse") or of the Huber loss, δ = 1 ("huber": ½x² for |x| ≤ 1, |x| − ½ beyond),
    each sample's term times ``weight`` when given (prioritised replay's importance weights).

    y is a constant; the Huber form caps each sample's gradient at 1, which tames rare large TD errors.
    """
    target = target.detach()
    if weight is not None:
        per_sample = (F.smooth_l1_loss(q, target, beta=1.0, reduction="none") if kind == "huber"
                      else 0.5 * (q - target).pow(2))
        return (weight * per_sample).mean()
    if kind == "huber":
        return F.smooth_l1_loss(q, target, beta=1.0)
    return 0.5 * (q - target).pow(2).mean()


def linear_epsilon(step: int, start: float, end: float, duration: int) -> float:
    """ε falls linearly from ``start`` to ``end`` over ``duration`` env steps, then stays at ``end``."""
    fraction = min(step / duration, 1.0) if duration > 0 else 1.0
    return start + fraction * (end - start)


def epsilon_greedy(q: Tensor, epsilon: float) -> Tensor:
    """argmax_a q with probability 1 − ε, else a uniformly random action; all on q's device, no host sync."""
    greedy = q.argmax(dim=-1)
    if epsilon <= 0.0:
        return greedy
    random = torch.randint_like(greedy, q.shape[-1])
    return torch.where(torch.rand(greedy.shape, device=q.device) < epsilon, random, greedy)


@register_agent("dqn")
class DQN(OffPolicyAgent):
    """Off-policy DQN, replay buffer on the agent's device; optional double-DQN target and Huber loss."""

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, device: torch.device, *,
                 gamma: float = 0.99, lr: float = 1e-3, batch_size: int = 128, buffer_size: int = 50_000,
                 learning_starts: int = 1000, train_freq: int = 1, gradient_steps: int = 1,
                 target_update_interval: int = 500, tau: float = 1.0, double: bool = False, loss: str = "mse",
                 max_grad_norm: float | None = None, epsilon_start: float = 1.0, epsilon_end: float = 0.05,
                 exploration_steps: int = 10_000, lr_decay_steps: int | None = None, td_steps: int = 1,
                 prioritized: bool = False, priority_alpha: float = 0.6, priority_beta: float = 0.4,
                 priority_beta_steps: int | None = None, network: dict | None = None) -> None:
        super().__init__(observation_space, action_space, device)
        if loss not in LOSSES:
            raise ConfigError(f"dqn loss={loss!r} is not one of {', '.join(LOSSES)}")
        if td_steps > 1 and observation_dtype(observation_space) == np.uint8:
            raise ConfigError(f"dqn td_steps={td_steps} needs vector observations: pixel replay keeps one-step "
                              "successors only; use td_steps=1")
        net = network_options(network)
        n_actions = int(action_space.n)
        self.q_net = q_or_policy_network(observation_space, n_actions, net).to(device)
        self.q_target = q_or_policy_network(observation_space, n_actions, net).to(device)
        self.q_target.load_state_dict(self.q_net.state_dict())
        self.q_target.requires_grad_(False)
        self.q_opt = Adam(self.q_net.parameters(), lr=lr)
        # n-step transitions carry their own bootstrap factor γ^k, stored beside them
        buffer = (ReplayBuffer(buffer_size, observation_space.shape, (), device, torch.long, discount=True)
                  if td_steps > 1 else
                  ReplayBuffer.for_space(buffer_size, observation_space, (), device, action_dtype=torch.long))
        if prioritized:
            buffer = PrioritizedReplay(buffer, priority_alpha, priority_beta, priority_beta_steps)
        self.init_replay(buffer, batch_size, learning_starts, train_freq, gradient_steps)
        self.window = NStepWindow(td_steps, gamma) if td_steps > 1 else None
        self.gamma, self.tau, self.double, self.loss, self.prioritized = gamma, tau, double, loss, prioritized
        self.target_update_interval, self.max_grad_norm = target_update_interval, max_grad_norm
        self.epsilon_start, self.epsilon_end = epsilon_start, epsilon_end
        self.exploration_steps = exploration_steps
        self.gradient_updates = 0
        self.decay_learning_rates(lr_decay_steps)

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        if not isinstance(action_space, gym.spaces.Discrete):
            raise ConfigError(f"dqn needs a Discrete action space, not {action_space}; "
                              "use ddpg, reinforce or ac for continuous actions")
        check_observations("dqn", observation_space)

    @property
    def epsilon(self) -> float:
        return linear_epsilon(self.env_steps, self.epsilon_start, self.epsilon_end, self.exploration_steps)

    @torch.no_grad()
    def act(self, obs: Tensor, explore: bool = True) -> Tensor:
        epsilon = self.epsilon if explore else 0.0
        if epsilon >= 1.0:  # pure exploration: no need to run the network
            return torch.randint(0, self.q_net.out_dim, (obs.shape[0],), device=obs.device)
        return epsilon_greedy(self.q_net(obs), epsilon)

    def store(self, transition: Transition) -> None:
        if self.window is None:
            return super().store(transition)
        ready = self.window.push(transition)  # None until td_steps vector steps are held
        if ready is not None:
            self.buffer.add(ready)

    def update(self) -> dict[str, Tensor] | None:
        if self.prioritized:
            self.buffer.anneal(self.env_steps)
        return super().update()

    compiled_steps = ("gradient_step",)

    def update_once(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        metrics = self.gradient_step(batch)
        if self.prioritized:
            self.buffer.update_priorities(batch["index"], metrics.pop("td_abs"))
        self.gradient_updates += 1
        if self.gradient_updates % self.target_update_interval == 0:
            soft_update(self.q_target, self.q_net, self.tau)  # τ = 1: a hard copy
        return metrics

    def gradient_step(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        """TD target, loss, backward and Adam step: tensors only, so ``compile=true`` can capture it whole."""
        with torch.no_grad():
            next_q_online = self.q_net(batch["next_obs"]) if self.double else None
            next_v = next_state_value(self.q_target(batch["next_obs"]), next_q_online)
            discount = batch.get("discount", self.gamma)  # γ^k per n-step transition
            target = td_target(batch["reward"], next_v, batch["terminated"], discount)
        q = self.q_net(batch["obs"]).gather(-1, batch["action"].unsqueeze(-1)).squeeze(-1)
        loss = q_loss(q, target, self.loss, batch.get("weight"))
        self.q_opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.max_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(self.q_net.parameters(), self.max_grad_norm, foreach=True)
        self.q_opt.step()
        metrics = {"losses/td_loss": loss.detach(), "losses/q_mean": q.detach().mean()}
        if self.prioritized:  # per sample |δ|: the drawn rows' new priorities
            metrics["td_abs"] = (q.detach() - target).abs()
        return metrics

    def envs_restarted(self) -> None:
        if self.window is not None:
            self.window.truncate()

    def extra_state(self) -> dict:
        window = {"nstep_window": self.window.state_dict()} if self.window is not None else {}
        return {**super().extra_state(), "gradient_updates": self.gradient_updates, **window}

    def load_extra_state(self, state: dict) -> None:
        super().load_extra_state(state)
        self.gradient_updates = state["gradient_updates"]
        if self.window is not None:
            self.window.load_state_dict(state.get("nstep_window"), self.device)
