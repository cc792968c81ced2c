"""MuJoCo envs in checkpoints: a resumed vector env continues its episodes bit for bit (rlkit/envs/physics_state.py)."""

from __future__ import annotations

import pytest
import torch

from rlkit.envs.make import make_env

pytest.importorskip("mujoco", reason="MuJoCo envs: pip install -e '.[mujoco]'")


def steps(env, actions):
    out = []
    for action in actions:
        transition, finished = env.step(action)
        out.append((transition.next_obs, transition.reward, transition.done, finished))
    return out


@pytest.mark.parametrize("env_id", ["Hopper-v5", "InvertedPendulum-v5"])
def test_a_mujoco_env_resumed_mid_episode_steps_as_the_uninterrupted_one(env_id):
    torch.manual_seed(0)
    live = make_env(env_id, num_envs=2, seed=3)
    live.reset(seed=3)
    low, high = (torch.as_tensor(b) for b in (live.single_action_space.low, live.single_action_space.high))
    actions = [low + (high - low) * torch.rand(2, *low.shape) for _ in range(80)]
    steps(live, actions[:30])  # InvertedPendulum episodes end (and reset from the env's generator) in here
    state = live.state_dict()
    assert state["physics"] is not None
    resumed = make_env(env_id, num_envs=2, seed=99)  # a different seed: everything must come from the checkpoint
    resumed.reset(seed=99)
    assert resumed.load_state_dict(state)
    assert torch.equal(resumed.obs, live.obs)
    for (obs_a, r_a, d_a, f_a), (obs_b, r_b, d_b, f_b) in zip(steps(live, actions[30:]), steps(resumed, actions[30:]),
                                                              strict=True):
        assert torch.equal(obs_a, obs_b) and torch.equal(r_a, r_b) and torch.equal(d_a, d_b) and f_a == f_b
    live.close()
    resumed.close()


def test_a_mujoco_checkpoint_of_an_older_rlkit_starts_fresh_episodes():
    env = make_env("InvertedPendulum-v5", num_envs=1, seed=0)
    env.reset(seed=0)
    state = env.state_dict()
    state.pop("physics")  # what rlkit saved before the physics state: the constructor arguments only
    assert not env.load_state_dict(state)
    env.close()
