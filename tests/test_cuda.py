"""The CUDA path, run where a GPU is present (``pytest -m cuda``): every agent's update, the replay buffer, a
save/resume round trip, device=auto, compiled and CUDA-graph updates. Skipped on machines without CUDA."""

from __future__ import annotations

import json

import pytest
import torch

from rlkit.buffers import ReplayBuffer
from rlkit.device import pick_device
from rlkit.envs import make_env
from tests.test_compile import CASES

pytestmark = pytest.mark.cuda

SHORT = ("total_steps=1200", "eval.every=600", "eval.episodes=2", "checkpoint.every=400", "log_every=200")
RUN_OPTIONS = {
    "dqn": ("env=CartPole-v1", "agent.learning_starts=200"),
    "ddpg": ("env=Pendulum-v1", "agent.learning_starts=200"),
    "td3": ("env=Pendulum-v1", "agent.learning_starts=200"),
    "ac": ("env=CartPole-v1",),
    "reinforce": ("env=CartPole-v1", "agent.rollout_steps=50"),
}


def test_auto_picks_cuda():
    assert pick_device("auto").type == "cuda"


@pytest.mark.parametrize("agent", list(CASES))
@pytest.mark.parametrize("mode", ["eager", "compile=true", "cudagraphs=true"])
def test_each_agent_trains_on_cuda(cli, tmp_path, agent, mode):
    extra = () if mode == "eager" else (mode,)
    proc = cli(f"agent={agent}", *RUN_OPTIONS[agent], "device=cuda", *SHORT, *extra)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["device"] == "cuda" and summary["updates"] > 0


def test_replay_buffer_lives_and_samples_on_the_gpu():
    env = make_env("Pendulum-v1", num_envs=2, seed=0, device="cuda")
    buffer = ReplayBuffer.for_space(100, env.single_observation_space, env.single_action_space.shape,
                                    torch.device("cuda"))
    obs = env.obs
    for _ in range(30):
        transition, _ = env.step(torch.rand(2, 1, device="cuda") * 4 - 2)
        buffer.add(transition)
    batch = buffer.sample(16)
    assert all(t.device.type == "cuda" for t in batch.values()) and obs.device.type == "cuda"


def test_save_then_resume_on_cuda(cli, tmp_path):
    assert cli("agent=ddpg", "device=cuda", *SHORT, "agent.learning_starts=200").returncode == 0
    proc = cli("agent=ddpg", "device=cuda", *SHORT[1:], "total_steps=1600", "agent.learning_starts=200",
               "resume=true")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["env_steps"] == 1600
