"""Env ids: gymnasium ids, ``module:EnvId``, entry-point plugins, ``register_env``; kwargs and the checker."""

from __future__ import annotations

import importlib
import sys

import gymnasium as gym
import numpy as np
import pytest

from rlkit.envs import check_env, make_env, plugins, register_env, resolve_env_id
from rlkit.errors import ConfigError


class Unseeded(gym.Env):
    """Ignores the reset seed, which gymnasium's checker refuses."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), dtype=np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.random.default_rng().uniform(-1, 1, 1).astype(np.float32), {}

    def step(self, action):
        return np.zeros(1, dtype=np.float32), 0.0, True, False, {}


@pytest.fixture
def fresh_plugins(monkeypatch, tmp_path):
    """Entry points re-read from scratch, with ``tmp_path`` on sys.path for fake distributions."""
    monkeypatch.setattr(plugins, "_failures", None)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    importlib.invalidate_caches()


def fake_distribution(root, name: str, entry_points: str, module: str, source: str) -> None:
    info = root / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    (root / f"{module}.py").write_text(source)
    importlib.invalidate_caches()


def test_gymnasium_id_resolves_as_is():
    assert resolve_env_id("Acrobot-v1") == "Acrobot-v1"


def test_module_colon_id_imports_the_module(tmp_path, monkeypatch):
    (tmp_path / "rlkit_test_colon_env.py").write_text(
        "import gymnasium as gym\n"
        "gym.register('ColonEnv-v0', entry_point='gymnasium.envs.classic_control:CartPoleEnv')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "ColonEnv-v0" not in gym.registry
    assert resolve_env_id("rlkit_test_colon_env:ColonEnv-v0") == "ColonEnv-v0"
    assert "rlkit_test_colon_env" in sys.modules


def test_entry_point_registers_on_first_miss_only(fresh_plugins):
    fake_distribution(fresh_plugins, "rlkit-test-ep", "[rlkit.envs]\ntest = rlkit_test_ep:register\n",
                      "rlkit_test_ep",
                      "import rlkit\nCALLS = []\n\ndef register():\n    CALLS.append(1)\n"
                      "    rlkit.register_env('EntryPointEnv-v0', "
                      "'gymnasium.envs.classic_control:CartPoleEnv', max_episode_steps=7)\n")
    assert resolve_env_id("CartPole-v1") == "CartPole-v1"
    assert plugins._failures is None  # a known id loads no plugin
    assert resolve_env_id("EntryPointEnv-v0") == "EntryPointEnv-v0"
    assert resolve_env_id("EntryPointEnv-v0") == "EntryPointEnv-v0"
    assert sys.modules["rlkit_test_ep"].CALLS == [1]
    assert gym.spec("EntryPointEnv-v0").max_episode_steps == 7


def test_failing_plugin_is_named_with_its_exception(fresh_plugins):
    fake_distribution(fresh_plugins, "rlkit-test-bad", "[rlkit.envs]\nbad = rlkit_test_bad:register\n",
                      "rlkit_test_bad",
                      "def register():\n    raise RuntimeError('no licence\\nfor this env')\n")
    with pytest.raises(ConfigError) as info:
        resolve_env_id("Nowhere-v0")
    message = str(info.value)
    assert ("env plugin 'bad' (rlkit_test_bad:register, package rlkit-test-bad) failed to register its "
            "envs: RuntimeError: no licence for this env") in message
    assert "\n" not in message


def test_register_env_is_idempotent_and_refuses_a_conflict():
    register_env("IdemEnv-v0", "gymnasium.envs.classic_control:CartPoleEnv", max_episode_steps=9)
    register_env("IdemEnv-v0", "gymnasium.envs.classic_control:CartPoleEnv", max_episode_steps=9)
    assert gym.spec("IdemEnv-v0").max_episode_steps == 9
    with pytest.raises(ConfigError, match="already registered to gymnasium.envs.classic_control:CartPoleEnv"):
        register_env("IdemEnv-v0", "gymnasium.envs.classic_control:PendulumEnv")


def test_unknown_id_names_the_closest():
    with pytest.raises(ConfigError, match=r"env=Pendulm-v1: unknown env; closest registered ids: Pendulum-v1"):
        resolve_env_id("Pendulm-v1")


def test_kwargs_reach_the_env_and_bad_ones_are_refused():
    env = make_env("Pendulum-v1", kwargs={"g": 3.5}, max_episode_steps=17)
    inner = env.envs.envs[0]
    assert inner.unwrapped.g == 3.5 and inner.spec.max_episode_steps == 17
    env.close()
    with pytest.raises(ConfigError, match="rejected its arguments"):
        make_env("Pendulum-v1", kwargs={"gravity": 3.5})


def test_env_checker_passes_a_good_env_and_names_a_failing_one():
    with pytest.warns(UserWarning, match="symmetric and normalized"):  # a passing env's advice is shown
        check_env("Pendulum-v1", {"g": 9.81})
    register_env("UnseededTest-v0", Unseeded)
    with pytest.raises(ConfigError, match="'UnseededTest-v0' failed gymnasium's env checker: AssertionError"):
        check_env("UnseededTest-v0")


def test_a_box2d_env_without_box2d_names_the_extra_that_installs_it(monkeypatch):
    def not_installed(*args, **kwargs):
        raise gym.error.DependencyNotInstalled('Box2D is not installed, run `pip install "gymnasium[box2d]"`')

    monkeypatch.setattr(gym, "make", not_installed)
    with pytest.raises(ConfigError) as info:
        make_env("LunarLander-v3")
    assert str(info.value) == "env 'LunarLander-v3' needs a package that is not installed; " \
                              'install it with: pip install "rlkit[box2d]"'


def test_a_mujoco_env_without_mujoco_names_the_extra_that_installs_it(monkeypatch):
    def not_installed(*args, **kwargs):
        raise gym.error.DependencyNotInstalled('Could not import mujoco. (HINT: you need to install mujoco, run '
                                               '`pip install "gymnasium[mujoco]"`.)')

    monkeypatch.setattr(gym, "make", not_installed)
    with pytest.raises(ConfigError) as info:
        make_env("HalfCheetah-v5")
    assert str(info.value) == "env 'HalfCheetah-v5' needs a package that is not installed; " \
                              'install it with: pip install "rlkit[mujoco]"'
