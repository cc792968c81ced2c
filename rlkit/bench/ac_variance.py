"""``python -m rlkit.bench acvar RUN_DIR ...``: the spread of the actor-critic's actor-gradient estimates.

For a trained ``agent=ac`` run on Discrete actions (its last checkpoint), the stochastic policy plays
``--steps`` env steps; on those on-policy samples each actor weighting A_i gives per-sample gradient estimates

    g_i = A_i · ∂log π(a_i|s_i;θ)/∂θ,   A = q (the algorithm as stated), q − b, y − b   (b(s) = Σ_a π(a|s)·q(s,a))

with y the one-step TD target r + γ·q(s′, ã′). All three estimate the same expected gradient (b depends on the
state only). Printed per weighting: the total variance tr Cov(g) = mean |g − ḡ|², that variance as a multiple
of the ``q − b`` form's, |ḡ|, and the samples needed before the mean outweighs the noise, tr Cov(g) / |ḡ_{q−b}|²
(the low-variance form's mean standing for the true gradient). Same samples, same networks: only the weight
differs, so the ratios are the reason ``advantage=q`` needs the smaller actor step (docs/pages/agents/ac.md).
"""

from __future__ import annotations

import argparse
import json

import torch
from torch import Tensor

from rlkit.agents.ac import expected_q
from rlkit.agents.common import categorical_log_prob
from rlkit.agents.targets import td_target
from rlkit.rundir import make_run_env, restore


def per_sample_gradients(actor: torch.nn.Module, obs: Tensor, action: Tensor) -> Tensor:
    """[N, P]: row i is ∂log π(a_i|s_i;θ)/∂θ over all the actor's parameters, flattened."""
    params = [p for p in actor.parameters() if p.requires_grad]
    rows = []
    for i in range(obs.shape[0]):
        log_prob = categorical_log_prob(actor(obs[i:i + 1]), action[i:i + 1]).sum()
        rows.append(torch.cat([g.reshape(-1) for g in torch.autograd.grad(log_prob, params)]))
    return torch.stack(rows)


def gradient_moments(score: Tensor, weight: Tensor) -> dict[str, float]:
    """Moments of g_i = weight_i · score_i: mean |g|², tr Cov(g) and |ḡ| (score: [N, P], weight: [N])."""
    g = weight.unsqueeze(-1) * score
    mean = g.mean(0)
    return {"second_moment": g.pow(2).sum(-1).mean().item(),
            "total_variance": (g - mean).pow(2).sum(-1).mean().item(),
            "mean_norm": mean.norm().item()}


def collect(agent, config: dict, steps: int, seed: int) -> dict[str, Tensor]:
    """``steps`` on-policy transitions of the stochastic policy (8 envs side by side)."""
    env = make_run_env(config, num_envs=8, seed=seed, training=True)
    columns: dict[str, list[Tensor]] = {"obs": [], "action": [], "reward": [], "next_obs": [], "terminated": []}
    try:
        env.reset(seed=seed)
        while sum(o.shape[0] for o in columns["obs"]) < steps:
            transition, _ = env.step(agent.act(env.obs, explore=True))
            for name in columns:
                columns[name].append(getattr(transition, name))
    finally:
        env.close()
    return {name: torch.cat(column)[:steps] for name, column in columns.items()}


def weights(agent, batch: dict[str, Tensor]) -> dict[str, Tensor]:
    """The three actor weightings on one batch, from the agent's own critic and policy."""
    with torch.no_grad():
        q_all = agent.critic.all_actions(batch["obs"])
        q = q_all.gather(-1, batch["action"].long().unsqueeze(-1)).squeeze(-1)
        b = expected_q(agent.actor(batch["obs"]), q_all)
        next_q = agent.critic(batch["next_obs"], agent.actor.sample(batch["next_obs"]))
        y = td_target(batch["reward"], next_q, batch["terminated"], agent.gamma)
    return {"q": q, "q - b": q - b, "y - b": y - b}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rlkit.bench acvar", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dirs", nargs="+", help="finished agent=ac runs on a Discrete-action env")
    parser.add_argument("--steps", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    results = {}
    for run_dir in args.run_dirs:
        restored = restore(run_dir, "last")
        agent = restored.agent
        batch = collect(agent, restored.config, args.steps, args.seed)
        score = per_sample_gradients(agent.actor, batch["obs"], batch["action"])
        weighting = weights(agent, batch)
        moments = {name: gradient_moments(score, w) for name, w in weighting.items()}
        base = moments["q - b"]
        q_level = weighting["q"].mean().item()
        print(f"{run_dir}  ({args.steps} on-policy samples, mean q {q_level:.1f})")
        for name, m in moments.items():
            m["variance_ratio"] = m["total_variance"] / base["total_variance"]
            m["samples_for_snr_1"] = m["total_variance"] / base["mean_norm"] ** 2
            print(f"  A = {name:<6} tr Cov(g) {m['total_variance']:.4g} ({m['variance_ratio']:.3g}× q − b's)   "
                  f"|mean g| {m['mean_norm']:.4g}   samples for the mean to outweigh the noise "
                  f"{m['samples_for_snr_1']:.3g}")
        results[str(run_dir)] = {"mean_q": q_level, **moments}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
