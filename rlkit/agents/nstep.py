"""n-step transitions for replay (Sutton, 1988; Hessel et al., 2018): the TD target sums n rewards before it
bootstraps, so a reward reaches the states n steps before it in one update instead of n.

``NStepWindow`` holds the last n vector steps and, once it is full, turns its oldest step into

    (s_t, a_t, Σ_{i<k} γ^i r_{t+i}, s_{t+k}, terminated_{t+k−1}, γ^k),

k = n, or fewer where the episode ended inside the window (terminal: no bootstrap; time-limit cut: bootstrap
from the true final state with γ^k). Every step leaves the window exactly once, n − 1 vector steps late. All
tensor work, on the transitions' device, with no host sync.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import torch
from torch import Tensor

from rlkit.agents.common import stack_steps, truncate_at_last_step, unstack_steps
from rlkit.envs.vector import Transition

FIELDS = ("obs", "action", "reward", "next_obs", "terminated", "done")


@dataclass
class NStepTransition(Transition):
    discount: Tensor  # γ^k: the factor of the bootstrap value (times 1 − terminated)


class NStepWindow:
    def __init__(self, n: int, gamma: float) -> None:
        self.n, self.gamma = n, gamma
        self.steps: deque[tuple[Tensor, ...]] = deque(maxlen=n)

    def push(self, step: Transition) -> NStepTransition | None:
        """Take one vector step; returns the oldest step as an n-step transition once n steps are held."""
        self.steps.append(tuple(getattr(step, name) for name in FIELDS))
        if len(self.steps) < self.n:
            return None
        window = stack_steps(list(self.steps), FIELDS)  # {field: [n, envs, ...]}
        reward, done = window["reward"], window["done"]
        # step i counts while no episode ended before it: 1, (1 − d_0), (1 − d_0)(1 − d_1), ...
        counted = torch.cumprod(torch.cat([torch.ones_like(done[:1]), 1.0 - done[:-1]]), dim=0)
        powers = self.gamma ** torch.arange(self.n, device=reward.device, dtype=reward.dtype)
        k = counted.sum(dim=0)  # rewards summed, per env: 1..n
        last, envs = (k - 1).long(), torch.arange(reward.shape[1], device=reward.device)
        return NStepTransition(obs=window["obs"][0], action=window["action"][0],
                               reward=(counted * powers.unsqueeze(1) * reward).sum(dim=0),
                               next_obs=window["next_obs"][last, envs], terminated=window["terminated"][last, envs],
                               done=window["done"][0], discount=self.gamma ** k)

    def truncate(self) -> None:
        """End every held episode at the newest held step (``Agent.envs_restarted``)."""
        steps = truncate_at_last_step(list(self.steps), FIELDS)
        self.steps.clear()
        self.steps.extend(steps)

    def state_dict(self) -> dict[str, Tensor] | None:
        return stack_steps(list(self.steps), FIELDS)

    def load_state_dict(self, state: dict[str, Tensor] | None, device: torch.device) -> None:
        self.steps.clear()
        self.steps.extend(unstack_steps(state, FIELDS, device))
