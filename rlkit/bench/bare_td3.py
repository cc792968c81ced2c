"""TD3's training-loop speed: rlkit's ``agent=td3`` against a bare PyTorch TD3 loop, env steps per CPU-second.

    python -m rlkit.bench td3 [--env HalfCheetah-v5] [--steps 1000] [--rounds 2] [--learning-starts 25000]

The bare loop is CleanRL's ``td3_continuous_action`` step for step: one gymnasium env, native ``torch.nn.Linear``
layers, ``torch.optim.Adam``, a preallocated tensor buffer, Python soft updates. Both use the same settings (td3's
defaults: 256×256, batch 256, Adam 3e-4, exploration σ 0.1, policy delay 2, target noise 0.2 clipped 0.5, τ 0.005,
γ 0.99). Each first runs ``learning_starts`` random steps untimed, then both are timed in alternating chunks of
``--steps`` env steps with ``time.process_time`` (CPU time of this process), so load from other processes on a
shared box affects both alike; the printed ratio (rlkit / bare steps per second) is the result.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time

import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from rlkit.agents import make_agent
from rlkit.bench.loop import time_chunk
from rlkit.envs import make_env


def mlp(n_in: int, n_out: int, hidden: tuple[int, ...], out: nn.Module | None = None) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(n_in, width), nn.ReLU()]
        n_in = width
    layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers, *([out] if out is not None else []))


class BareTD3:
    """A plain TD3 loop over one gymnasium env; ``run(n)`` advances it by n env steps (updates included)."""

    def __init__(self, env_id: str, seed: int, learning_starts: int, buffer_size: int, hidden=(256, 256),
                 batch_size: int = 256, lr: float = 3e-4, gamma: float = 0.99, tau: float = 0.005,
                 exploration_noise: float = 0.1, policy_noise: float = 0.2, noise_clip: float = 0.5,
                 policy_delay: int = 2) -> None:
        self.env = gym.make(env_id)
        self.env.action_space.seed(seed)
        self.obs, _ = self.env.reset(seed=seed)
        n_obs, n_act = self.env.observation_space.shape[0], self.env.action_space.shape[0]
        low, high = (torch.as_tensor(b, dtype=torch.float32) for b in (self.env.action_space.low,
                                                                        self.env.action_space.high))
        self.low, self.high, self.scale, self.center = low, high, (high - low) / 2, (high + low) / 2
        self.actor = mlp(n_obs, n_act, hidden, nn.Tanh())
        self.q1, self.q2 = mlp(n_obs + n_act, 1, hidden), mlp(n_obs + n_act, 1, hidden)
        self.actor_t, self.q1_t, self.q2_t = (copy.deepcopy(m) for m in (self.actor, self.q1, self.q2))
        self.actor_opt = torch.optim.Adam(self.actor.parameters(), lr=lr)
        self.q_opt = torch.optim.Adam([*self.q1.parameters(), *self.q2.parameters()], lr=lr)
        self.buf = {"obs": torch.zeros(buffer_size, n_obs), "next": torch.zeros(buffer_size, n_obs),
                    "act": torch.zeros(buffer_size, n_act), "rew": torch.zeros(buffer_size),
                    "term": torch.zeros(buffer_size)}
        self.size = self.pos = self.steps = self.updates = 0
        self.learning_starts, self.batch_size, self.gamma, self.tau = learning_starts, batch_size, gamma, tau
        self.expl, self.policy_noise, self.noise_clip = exploration_noise, policy_noise, noise_clip
        self.policy_delay = policy_delay

    def pi(self, net: nn.Module, obs: torch.Tensor) -> torch.Tensor:
        return self.center + self.scale * net(obs)

    def run(self, steps: int) -> None:
        for _ in range(steps):
            if self.steps < self.learning_starts:
                action = self.env.action_space.sample()
            else:
                with torch.no_grad():
                    a = self.pi(self.actor, torch.as_tensor(self.obs, dtype=torch.float32)[None])[0]
                    action = (a + torch.randn_like(a) * self.scale * self.expl).clamp(self.low, self.high).numpy()
            next_obs, reward, term, trunc, _ = self.env.step(action)
            b, i = self.buf, self.pos
            b["obs"][i], b["next"][i] = torch.as_tensor(self.obs), torch.as_tensor(next_obs)
            b["act"][i], b["rew"][i], b["term"][i] = torch.as_tensor(action), float(reward), float(term)
            self.pos, self.size = (i + 1) % len(b["rew"]), min(self.size + 1, len(b["rew"]))
            self.obs = self.env.reset()[0] if term or trunc else next_obs
            self.steps += 1
            if self.steps >= self.learning_starts:
                self.update()

    def update(self) -> None:
        b, i = self.buf, torch.randint(0, self.size, (self.batch_size,))
        obs, act, nxt = b["obs"][i], b["act"][i], b["next"][i]
        with torch.no_grad():
            na = self.pi(self.actor_t, nxt)
            na = (na + (torch.randn_like(na) * self.policy_noise).clamp(-self.noise_clip, self.noise_clip)
                  * self.scale).clamp(self.low, self.high)
            q_in = torch.cat([nxt, na], 1)
            y = b["rew"][i] + self.gamma * (1 - b["term"][i]) * torch.min(self.q1_t(q_in), self.q2_t(q_in))[:, 0]
        sa = torch.cat([obs, act], 1)
        loss = F.mse_loss(self.q1(sa)[:, 0], y) + F.mse_loss(self.q2(sa)[:, 0], y)
        self.q_opt.zero_grad()
        loss.backward()
        self.q_opt.step()
        if self.updates % self.policy_delay == 0:
            actor_loss = -self.q1(torch.cat([obs, self.pi(self.actor, obs)], 1)).mean()
            self.actor_opt.zero_grad()
            actor_loss.backward()
            self.actor_opt.step()
            for net, target in ((self.actor, self.actor_t), (self.q1, self.q1_t), (self.q2, self.q2_t)):
                for p, tp in zip(net.parameters(), target.parameters(), strict=True):
                    tp.data.copy_(self.tau * p.data + (1 - self.tau) * tp.data)
        self.updates += 1


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench td3", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--env", default="HalfCheetah-v5")
    parser.add_argument("--steps", type=int, default=1000, help="env steps per timed chunk")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--learning-starts", type=int, default=25_000)
    parser.add_argument("--impl", default="explicit", choices=["explicit", "native"], help="rlkit's layers")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    buffer_size = args.learning_starts + 2 * args.steps * args.rounds + 10
    torch.manual_seed(0)
    np.random.seed(0)
    env = make_env(args.env, seed=0)
    agent = make_agent("td3", env.single_observation_space, env.single_action_space, torch.device("cpu"),
                       learning_starts=args.learning_starts, buffer_size=buffer_size,
                       network={"hidden": [256, 256], "impl": args.impl})
    bare = BareTD3(args.env, 0, args.learning_starts, buffer_size)
    time_chunk(agent, env, args.learning_starts)  # random steps, untimed: every timed step updates
    bare.run(args.learning_starts)
    times: dict[str, list[float]] = {"rlkit": [], "bare": []}
    for _ in range(args.rounds):
        times["rlkit"].append(time_chunk(agent, env, args.steps))
        start = time.process_time()
        bare.run(args.steps)
        times["bare"].append((time.process_time() - start) / args.steps)
    median = {k: statistics.median(v) for k, v in times.items()}
    ratio = median["bare"] / median["rlkit"]
    print(f"td3 on {args.env}, {args.threads} thread(s), after {args.learning_starts} random steps, median of "
          f"{args.rounds} chunks of {args.steps} env steps (CPU time), one update per env step:")
    print(f"  rlkit td3 ({args.impl} layers) {1 / median['rlkit']:7.1f} env steps/s")
    print(f"  bare PyTorch TD3 (nn.Linear, torch.optim.Adam) {1 / median['bare']:7.1f} env steps/s")
    print(f"  rlkit / bare = {ratio:.2f}x (steps/s)")
    return {**median, "ratio": ratio}


if __name__ == "__main__":
    main()
