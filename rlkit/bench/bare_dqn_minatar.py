"""A bare DQN on MinAtar in plain PyTorch (torch.nn layers, torch.optim.Adam): the baseline that
``python -m rlkit.bench learn ... --baseline`` times next to rlkit. Same hyperparameters as
agents_zoo/dqn/MinAtar/Breakout-v1.yaml, same env (CHW uint8 grids, 10,000-step cap), same evaluations.

    python -m rlkit.bench.bare_dqn_minatar --env MinAtar/Breakout-v1 --seed 0 --out summary.json
"""

import argparse
import copy
import json
import random
import time

import gymnasium as gym
import minatar.gym
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

p = argparse.ArgumentParser()
for name, default in [("env", "MinAtar/Breakout-v1"), ("seed", 0), ("total_steps", 300_000), ("lr", 2.5e-4),
                      ("batch_size", 32), ("buffer_size", 100_000), ("learning_starts", 5000), ("train_freq", 2),
                      ("target_every", 1000), ("gamma", 0.99), ("eps_end", 0.1), ("explore_steps", 100_000),
                      ("eval_every", 50_000), ("eval_episodes", 10), ("max_steps", 10_000), ("out", "")]:
    p.add_argument(f"--{name}", type=type(default), default=default)
a = p.parse_args()
torch.set_num_threads(1)
random.seed(a.seed), np.random.seed(a.seed), torch.manual_seed(a.seed)
minatar.gym.register_envs()
make = lambda: gym.make(a.env, max_episode_steps=a.max_steps)  # noqa: E731
chw = lambda o: np.transpose(o, (2, 0, 1)).astype(np.uint8)  # noqa: E731
env = make()
n_act, shape = env.action_space.n, chw(env.observation_space.sample()).shape
q = nn.Sequential(nn.Conv2d(shape[0], 16, 3), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 8 * 8, 128), nn.ReLU(),
                  nn.Linear(128, n_act))
q_target = copy.deepcopy(q).requires_grad_(False)
opt = torch.optim.Adam(q.parameters(), lr=a.lr)
obs_buf = torch.zeros((a.buffer_size, *shape), dtype=torch.uint8)
next_buf = torch.zeros_like(obs_buf)
act_buf, rew_buf, term_buf = (torch.zeros(a.buffer_size, dtype=t) for t in (torch.long, torch.float, torch.float))


def evaluate() -> float:
    eval_env, returns = make(), []
    for ep in range(a.eval_episodes):
        o, _ = eval_env.reset(seed=a.seed + 10_000 + ep)
        done, ret = False, 0.0
        while not done:
            with torch.no_grad():
                action = int(q(torch.as_tensor(chw(o)).float()[None]).argmax())
            o, r, term, trunc, _ = eval_env.step(action)
            ret, done = ret + float(r), term or trunc
        returns.append(ret)
    return float(np.mean(returns))


start, evals = time.perf_counter(), []
o, _ = env.reset(seed=a.seed)
o, size, pos = chw(o), 0, 0
for step in range(1, a.total_steps + 1):
    eps = max(a.eps_end, 1.0 + (a.eps_end - 1.0) * step / a.explore_steps)
    if random.random() < eps:
        action = env.action_space.sample()
    else:
        with torch.no_grad():
            action = int(q(torch.as_tensor(o).float()[None]).argmax())
    o2, r, term, trunc, info = env.step(action)
    o2 = chw(o2)
    obs_buf[pos], next_buf[pos] = torch.as_tensor(o), torch.as_tensor(o2)
    act_buf[pos], rew_buf[pos], term_buf[pos] = action, float(r), float(term)
    pos, size = (pos + 1) % a.buffer_size, min(size + 1, a.buffer_size)
    o = chw(env.reset()[0]) if term or trunc else o2
    if step > a.learning_starts and step % a.train_freq == 0:
        i = torch.randint(0, size, (a.batch_size,))
        with torch.no_grad():
            y = rew_buf[i] + a.gamma * (1 - term_buf[i]) * q_target(next_buf[i].float()).max(1).values
        loss = F.smooth_l1_loss(q(obs_buf[i].float()).gather(1, act_buf[i][:, None]).squeeze(1), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if step % a.target_every == 0:
        q_target.load_state_dict(q.state_dict())
    if step % a.eval_every == 0 or step == a.total_steps:
        evals.append((step, evaluate()))
summary = {"env": a.env, "seed": a.seed, "env_steps": a.total_steps, "eval_return_mean": evals[-1][1],
           "evals": evals, "train_wall_s": round(time.perf_counter() - start, 2)}
print(json.dumps(summary))
if a.out:
    open(a.out, "w").write(json.dumps(summary) + "\n")
