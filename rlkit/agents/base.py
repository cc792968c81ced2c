"""The contract between the trainer and every agent, and the registry agents join with ``@register_agent``."""

from __future__ import annotations

import inspect
from typing import Any

import gymnasium as gym
import torch
from torch import Tensor, nn

from rlkit.envs.vector import Transition
from rlkit.errors import ConfigError
from rlkit.optim import Adam
from rlkit.registry import Registry

AGENTS = Registry("agent", group="rlkit.agents")
register_agent = AGENTS.register


class Agent:
    """What the trainer calls, in this order each vector step: ``act`` → env.step → ``observe`` → ``update``.

    Subclasses keep their networks (``nn.Module``) and optimizers as attributes; ``state_dict`` finds them
    there, so a checkpoint holds every network, target network and optimizer without per-agent code.
    Counters and buffers go in ``extra_state``.
    """

    def __init__(self, observation_space: gym.Space, action_space: gym.Space, device: torch.device) -> None:
        self.check_spaces(observation_space, action_space)
        self.observation_space, self.action_space, self.device = observation_space, action_space, device

    @classmethod
    def check_spaces(cls, observation_space: gym.Space, action_space: gym.Space) -> None:
        """Raise ``ConfigError`` naming the space when this agent cannot drive it."""

    def act(self, obs: Tensor, explore: bool = True) -> Tensor:
        """Actions for a batch of observations; ``explore=False`` is the deterministic evaluation policy."""
        raise NotImplementedError

    def observe(self, transition: Transition) -> None:
        """Take in one vector step (store it, accumulate an episode, ...)."""

    def update(self) -> dict[str, Tensor] | None:
        """Learn if it is time to; returns metrics as tensors (the trainer reads them only when it logs)."""
        return None

    obs_norm: nn.Module | None = None  # set by agents taking ``normalize_obs`` (rlkit/agents/normalize.py)
    obs_norm_steps: int | None = None  # ``normalize_obs_steps``: env steps after which the statistics stay fixed
    lr_decay_steps: int | None = None  # set by ``decay_learning_rates``

    def normalized(self, obs: Tensor) -> Tensor:
        """The observations as the networks see them: through the running normalisation when it is on."""
        return obs if self.obs_norm is None else self.obs_norm(obs)

    def track_observations(self, obs: Tensor) -> None:
        """Fold the observations the agent acted on in training into the running normalisation, when it is on,
        up to ``obs_norm_steps`` env steps (a Python counter: no device sync); after that the statistics stay
        fixed, so a policy that has stopped learning is not moved by its inputs' scaling."""
        if self.obs_norm is not None and (self.obs_norm_steps is None or self.env_steps < self.obs_norm_steps):
            self.obs_norm.update(obs)

    def decay_learning_rates(self, decay_steps: int | None) -> None:
        """``lr_decay_steps``: every optimizer's step size falls linearly from its configured value to 0 over
        that many env steps (``anneal_learning_rates``, called before each update); None keeps it constant."""
        self.lr_decay_steps = decay_steps
        self.initial_lrs = [(opt, opt.lr) for opt in self._stateful().values() if isinstance(opt, Adam)]

    def anneal_learning_rates(self) -> None:
        if self.lr_decay_steps is None:
            return
        remaining = max(0.0, 1.0 - self.env_steps / self.lr_decay_steps)
        for optimizer, initial in self.initial_lrs:
            optimizer.lr = initial * remaining

    # Methods that only do tensor work (forward, loss, backward, optimizer step): ``compile`` wraps these.
    compiled_steps: tuple[str, ...] = ()

    def compile(self, mode: str | None = None) -> None:
        """Run each of ``compiled_steps`` through ``torch.compile`` (``mode="reduce-overhead"`` adds CUDA graphs).

        Counters, schedules and sampling stay in eager Python around them, so no Python value is baked into a
        graph and nothing recompiles as the run goes on.
        """
        for optimizer in self._stateful().values():
            if isinstance(optimizer, Adam):
                optimizer.fused = False  # the fused kernel cannot be traced; its foreach twin can
        for name in self.compiled_steps:
            setattr(self, name, torch.compile(getattr(self, name), mode=mode))

    def envs_restarted(self) -> None:
        """The envs were reset without the agent seeing an episode end (a resumed run whose envs could not be
        saved). Agents that hold steps of running episodes end those episodes at the last held step, as a time
        limit would, so no return or n-step target runs on into a new episode. One-step agents hold none."""

    def extra_state(self) -> dict[str, Any]:
        return {}

    def load_extra_state(self, state: dict[str, Any]) -> None:
        pass

    def _stateful(self) -> dict[str, nn.Module | torch.optim.Optimizer | Adam]:
        return {
            name: value
            for name, value in vars(self).items()
            if isinstance(value, nn.Module | torch.optim.Optimizer | Adam)
        }

    def state_dict(self) -> dict[str, Any]:
        state = {name: obj.state_dict() for name, obj in self._stateful().items()}
        state["extra"] = self.extra_state()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        for name, obj in self._stateful().items():
            obj.load_state_dict(state[name])
        self.load_extra_state(state.get("extra", {}))


def make_agent(
    name: str, observation_space: gym.Space, action_space: gym.Space, device: torch.device, **kwargs: Any
) -> Agent:
    """Build the agent registered as ``name``; unknown options fail before anything is built."""
    factory = AGENTS.get(name)
    accepted = inspect.signature(factory).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        unknown = sorted(set(kwargs) - set(accepted))
        if unknown:
            known = sorted(set(accepted) - {"observation_space", "action_space", "device"})
            raise ConfigError(
                f"agent {name!r} has no option {', '.join(unknown)}; options: {', '.join(known)}"
            )
    return factory(observation_space=observation_space, action_space=action_space, device=device, **kwargs)
