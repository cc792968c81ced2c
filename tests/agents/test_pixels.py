"""Agents on pixels: networks chosen from the observation space, short CLI runs on MinAtar and Atari, the errors."""

from __future__ import annotations

import json
import sys

import gymnasium as gym
import numpy as np
import pytest
import torch

from rlkit.agents import make_agent
from rlkit.agents.networks import network_options, observation_encoder
from rlkit.envs import make_env
from rlkit.errors import ConfigError
from rlkit.nn import CNN, MLP, EncoderHead, choose_encoder
from rlkit.trainer import evaluate

CPU = torch.device("cpu")
PIXEL_RUN = ("total_steps=300", "eval.every=300", "eval.episodes=2", "checkpoint.every=300", "log_every=100")


def test_auto_encoder_follows_the_observation_shape():
    assert choose_encoder((4,)) == "flat"
    assert choose_encoder((4, 10, 10)) == "minatar" and choose_encoder((7, 16, 16)) == "minatar"
    assert choose_encoder((4, 84, 84)) == "nature"
    with pytest.raises(ValueError, match="no automatic encoder"):
        choose_encoder((84, 84))


def test_vector_observations_keep_the_plain_mlp():
    env = gym.make("CartPole-v1")
    agent = make_agent("dqn", env.observation_space, env.action_space, CPU)
    assert type(agent.q_net) is MLP  # no encoder in front: the same network (and speed) as before pixels
    assert observation_encoder(env.observation_space, network_options(None)) is None


@pytest.mark.parametrize(("shape", "dtype", "kind", "scale"), [((4, 10, 10), np.uint8, "minatar", 1.0),
                                                               ((4, 84, 84), np.uint8, "nature", 1 / 255)])
def test_images_get_a_cnn_encoder_and_a_head(shape, dtype, kind, scale):
    high = 1 if kind == "minatar" else 255
    space = gym.spaces.Box(0, high, shape, dtype)
    agent = make_agent("dqn", space, gym.spaces.Discrete(3), CPU, network={"hidden": []})
    net = agent.q_net
    assert isinstance(net, EncoderHead) and isinstance(net.encoder, CNN)
    assert net.encoder.kind == kind and net.encoder.input_scale == pytest.approx(scale)
    assert all(getattr(m, "impl", "explicit") == "explicit" for m in net.modules())
    native = make_agent("dqn", space, gym.spaces.Discrete(3), CPU, network={"hidden": [], "impl": "native"})
    assert all(m.impl == "native" for m in native.q_net.modules() if hasattr(m, "impl"))
    obs = torch.randint(0, high + 1, (2, *shape), dtype=torch.uint8)
    assert agent.act(obs).shape == (2,)


def test_an_encoder_that_cannot_take_the_observations_is_a_config_error():
    space = gym.spaces.Box(0, 1, (4, 10, 10), np.uint8)
    with pytest.raises(ConfigError, match="network.encoder=nature cannot take observations of shape"):
        make_agent("dqn", space, gym.spaces.Discrete(3), CPU, network={"encoder": "nature"})
    with pytest.raises(ConfigError, match="network.encoder='conv' is not one of"):
        make_agent("dqn", space, gym.spaces.Discrete(3), CPU, network={"encoder": "conv"})


class TinyImageEnv(gym.Env):
    """An 8×8 image, a 1-d continuous action; reward is higher the closer the action is to the image's mean."""

    observation_space = gym.spaces.Box(0, 255, (3, 8, 8), np.uint8)
    action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self._obs(), {}

    def _obs(self):
        self.level = self.np_random.uniform(-1, 1)
        return np.full((3, 8, 8), int(127.5 * (self.level + 1)), dtype=np.uint8)

    def step(self, action):
        reward = -float(abs(action[0] - self.level))
        return self._obs(), reward, False, False, {}


def test_ddpg_learns_from_a_small_image_env():
    if "TinyImage-v0" not in gym.registry:
        gym.register("TinyImage-v0", entry_point=TinyImageEnv, max_episode_steps=20)
    env = make_env("TinyImage-v0", num_envs=2, seed=0)
    assert env.obs.dtype == torch.uint8
    agent = make_agent("ddpg", env.single_observation_space, env.single_action_space, CPU, learning_starts=64,
                       batch_size=32, network={"hidden": [32]})
    assert isinstance(agent.actor.body, EncoderHead) and agent.critic.encoder.kind == "minatar"
    before = [p.detach().clone() for p in agent.critic.encoder.parameters()]
    for _ in range(100):
        transition, _ = env.step(agent.act(env.obs))
        agent.observe(transition)
        metrics = agent.update()
    assert torch.isfinite(metrics["losses/critic_loss"])
    assert any(not torch.equal(a, b) for a, b in zip(before, agent.critic.encoder.parameters(), strict=True))
    assert agent.act(env.obs, explore=False).shape == (2, 1)


class EndlessEnv(gym.Env):
    """Never terminates: what MinAtar Breakout looks like to a policy that never misses the ball."""

    observation_space = gym.spaces.Box(0, 1, (1, 10, 10), np.uint8)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros((1, 10, 10), np.uint8), {}

    def step(self, action):
        return np.zeros((1, 10, 10), np.uint8), 1.0, False, False, {}


def test_the_step_cap_ends_an_endless_evaluation():
    if "Endless-v0" not in gym.registry:
        gym.register("Endless-v0", entry_point=EndlessEnv)  # no time limit, like MinAtar's own ids
    env = make_env("Endless-v0", num_envs=3, seed=0, max_episode_steps=40)
    agent = make_agent("dqn", env.single_observation_space, env.single_action_space, CPU)
    returns = evaluate(agent, env, episodes=3, seed=0)
    assert returns.tolist() == [40.0, 40.0, 40.0]


def test_a_missing_extra_names_the_pip_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "minatar", None)  # import minatar → ImportError
    monkeypatch.setitem(sys.modules, "minatar.gym", None)
    monkeypatch.delitem(gym.registry, "MinAtar/Breakout-v1", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'rlkit\[minatar\]'") as info:
        make_env("MinAtar/Breakout-v1")
    assert "\n" not in str(info.value)


def test_minatar_observations_arrive_channels_first_as_uint8():
    env = make_env("MinAtar/Breakout-v1", num_envs=2, seed=0, max_episode_steps=100)
    assert env.single_observation_space.shape == (4, 10, 10) and env.obs.dtype == torch.uint8
    assert env.obs.shape == (2, 4, 10, 10) and set(env.obs.unique().tolist()) <= {0, 1}


@pytest.mark.parametrize("agent", ["dqn", "reinforce", "ac"])
def test_short_pixel_run_on_minatar(cli, tmp_path, agent):
    extra = {"dqn": ("agent.learning_starts=100", "agent.batch_size=16"), "reinforce": ("agent.rollout_steps=50",),
             "ac": ("agent.n_steps=5",)}[agent]
    proc = cli(f"agent={agent}", "env=MinAtar/Breakout-v1", "num_envs=2", *PIXEL_RUN, *extra)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env"] == "MinAtar/Breakout-v1" and summary["env_steps"] == 300 and summary["updates"] > 0


def test_short_dqn_run_on_atari(cli, tmp_path):
    proc = cli("agent=dqn", "env=ALE/Pong-v5", *PIXEL_RUN, "agent.learning_starts=100", "agent.batch_size=8",
               "agent.buffer_size=1000", "network.hidden=[]", "env.max_episode_steps=400")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["env"] == "ALE/Pong-v5" and summary["env_steps"] == 300 and summary["updates"] > 0


def test_an_image_env_the_network_cannot_take_is_one_line_and_exit_2(cli):
    proc = cli("agent=dqn", "env=MinAtar/Breakout-v1", "network.encoder=nature", "total_steps=100")
    assert proc.returncode == 2
    assert proc.stderr.startswith("rlkit: error: network.encoder=nature cannot take observations of shape")
    assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
