"""Replay buffers: the uint8 image buffer stores each frame once and still gives every row its true successor."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.buffers import ImageReplayBuffer, ReplayBuffer
from rlkit.envs.vector import Transition

CPU = torch.device("cpu")
SHAPE = (4, 10, 10)  # MinAtar Breakout


def frame(value: int) -> torch.Tensor:
    """A frame that encodes one number (up to 255 · 256 · 2), so a sampled frame tells which one it is."""
    out = torch.zeros(SHAPE, dtype=torch.uint8)
    out[0, 0, 0], out[0, 0, 1], out[0, 0, 2] = value % 256, (value // 256) % 256, value // 65536
    return out


def frame_id(frames: torch.Tensor) -> torch.Tensor:
    f = frames[:, 0, 0].long()
    return f[:, 0] + 256 * f[:, 1] + 65536 * f[:, 2]


def rollout(buffer, steps: int, n: int, seed: int = 0) -> dict[int, int]:
    """Feed ``steps`` vector steps of ``n`` fake envs with random episode ends; returns obs id → next-obs id
    for every stored non-terminal transition (the successors a TD target may read)."""
    rng = np.random.default_rng(seed)
    counter, truth = 0, {}
    obs = []
    for _ in range(n):
        counter += 1
        obs.append(counter)
    for _ in range(steps):
        done = rng.random(n) < 0.1
        terminated = done & (rng.random(n) < 0.5)
        next_obs, after = [], []
        for i in range(n):
            counter += 1
            next_obs.append(counter)  # the true successor (for a cut episode: its final observation)
            if done[i]:
                counter += 1
                after.append(counter)  # the reset observation of the next episode
            else:
                after.append(counter)
            if not terminated[i]:
                truth[obs[i]] = next_obs[i]
        buffer.add(Transition(
            obs=torch.stack([frame(v) for v in obs]), action=torch.zeros(n, dtype=torch.long),
            reward=torch.zeros(n), next_obs=torch.stack([frame(v) for v in next_obs]),
            terminated=torch.as_tensor(terminated, dtype=torch.float32),
            done=torch.as_tensor(done, dtype=torch.float32)))
        obs = after
    return truth


@pytest.mark.parametrize(("capacity", "n", "steps"), [(1000, 3, 100), (64, 3, 200), (50, 4, 300)])
def test_every_sampled_successor_is_the_true_one(capacity, n, steps):
    buffer = ImageReplayBuffer(capacity, SHAPE, (), CPU, action_dtype=torch.long, final_slots=2)
    truth = rollout(buffer, steps, n)
    batch = buffer.sample(4096)
    assert batch["obs"].dtype == torch.float32 and batch["next_obs"].dtype == torch.float32
    obs_id, next_id = frame_id(batch["obs"].to(torch.uint8)), frame_id(batch["next_obs"].to(torch.uint8))
    live = batch["terminated"] == 0
    assert live.sum() > 1000
    assert all(truth[o] == x for o, x in zip(obs_id[live].tolist(), next_id[live].tolist(), strict=True))
    assert len(set(obs_id.tolist())) == min(capacity, steps * n) or capacity > steps * n  # uniform over all rows


def test_a_restored_buffer_samples_exactly_the_same_minibatches():
    buffer = ImageReplayBuffer(64, SHAPE, (), CPU, action_dtype=torch.long, final_slots=2)
    rollout(buffer, 150, 3)  # wraps around the ring several times and grows the side store
    clone = ImageReplayBuffer(64, SHAPE, (), CPU, action_dtype=torch.long)
    clone.load_state_dict(buffer.state_dict())
    for _ in range(3):
        torch.manual_seed(7)
        a = buffer.sample(256)
        torch.manual_seed(7)
        b = clone.sample(256)
        assert all(torch.equal(a[k], b[k]) for k in a)
    rollout(buffer, 5, 3, seed=1), rollout(clone, 5, 3, seed=1)  # and keeps agreeing after more steps
    torch.manual_seed(3)
    a = buffer.sample(256)
    torch.manual_seed(3)
    assert all(torch.equal(a[k], v) for k, v in clone.sample(256).items())


def test_uint8_storage_takes_an_eighth_of_the_float_bytes_per_transition():
    space = gym.spaces.Box(0, 1, SHAPE, np.uint8)
    image = ReplayBuffer.for_space(1000, space, (), CPU, action_dtype=torch.long)
    flat = ReplayBuffer(1000, SHAPE, (), CPU, action_dtype=torch.long)
    assert isinstance(image, ImageReplayBuffer) and image.storage["obs"].dtype == torch.uint8
    assert image.bytes_per_transition() == 400 + 8 + 4 + 4 + 8  # frame, action, reward, terminated, slot
    assert flat.bytes_per_transition() == 2 * 400 * 4 + 8 + 4 + 4  # obs and next_obs as float32
    vector = ReplayBuffer.for_space(10, gym.spaces.Box(-1, 1, (4,)), (), CPU)
    assert type(vector) is ReplayBuffer  # vector observations keep the plain float buffer


def test_the_side_store_holds_only_live_truncations():
    buffer = ImageReplayBuffer(12, SHAPE, (), CPU, final_slots=2)
    for step in range(40):  # one env, cut by a time limit every 2nd step: at most 6 live cuts in 12 rows
        done = float(step % 2)
        buffer.add(Transition(obs=frame(step)[None], action=torch.zeros(1, 1), reward=torch.zeros(1),
                              next_obs=frame(1000 + step)[None], terminated=torch.zeros(1),
                              done=torch.tensor([done])))
    assert buffer.final_obs.shape[0] <= 8
    batch = buffer.sample(512)
    obs_id, next_id = frame_id(batch["obs"].to(torch.uint8)), frame_id(batch["next_obs"].to(torch.uint8))
    cut = obs_id % 2 == 1
    assert torch.equal(next_id[cut], obs_id[cut] + 1000) and torch.equal(next_id[~cut], obs_id[~cut] + 1)


def test_prioritised_draws_from_pixel_replay_get_the_true_successors():
    from rlkit.prioritized import PrioritizedReplay

    buffer = PrioritizedReplay(ImageReplayBuffer(64, SHAPE, (), CPU, action_dtype=torch.long, final_slots=2))
    truth = rollout(buffer, 200, 3)
    buffer.update_priorities(torch.arange(64), torch.rand(64))
    batch = buffer.sample(4096)
    obs_id, next_id = frame_id(batch["obs"].to(torch.uint8)), frame_id(batch["next_obs"].to(torch.uint8))
    live = batch["terminated"] == 0
    assert live.sum() > 1000 and batch["weight"].shape == (4096,)
    assert all(truth[o] == x for o, x in zip(obs_id[live].tolist(), next_id[live].tolist(), strict=True))
