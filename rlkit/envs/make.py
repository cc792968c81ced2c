"""Turn an env id from the config into a ``VectorEnv``; unknown ids fail with the closest known ones.

An id resolves, in this order: (1) an id already in gymnasium's registry (including ones added with
``rlkit.register_env``); (2) ``module:EnvId``, which imports ``module`` so that it registers ``EnvId``;
(3) the installed ``rlkit.envs`` entry points, loaded on the first miss (rlkit/envs/plugins.py).
"""

from __future__ import annotations

import difflib
import importlib
import warnings
from typing import Any

import gymnasium as gym
import torch

from rlkit.envs.plugins import load_env_plugins
from rlkit.envs.preprocess import get_preprocess, register_namespace
from rlkit.envs.vector import VectorEnv
from rlkit.errors import ConfigError
from rlkit.registry import one_line


def resolve_env_id(env_id: str) -> str:
    """The gymnasium id to make for ``env_id``, registering it first where a module or plugin provides it."""
    if ":" in env_id:
        module, _, name = env_id.partition(":")
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - any import failure becomes one clear line
            raise ConfigError(f"env {env_id!r}: module {module!r} failed to import: {one_line(exc)}") from exc
        env_id = name
    if env_id in gym.registry:
        return env_id
    register_namespace(env_id)  # MinAtar/…, ALE/…: registered by their packages, from rlkit's extras
    if env_id in gym.registry:
        return env_id
    failures = load_env_plugins()
    if env_id in gym.registry:
        return env_id
    message = f"env={env_id}: unknown env"
    close = difflib.get_close_matches(env_id, list(gym.registry), n=5, cutoff=0.5)
    if close:
        message += f"; closest registered ids: {', '.join(close)}"
    elif not failures:
        message += "; use a gymnasium id (e.g. Pendulum-v1), module:EnvId or an installed plugin's id"
    if failures:  # the id may be one the broken plugin would have registered
        more = f" (and {len(failures) - 1} more plugin failures)" if len(failures) > 1 else ""
        message += f"; {failures[0]}{more}"
    raise ConfigError(message)


# Gymnasium's env families whose packages rlkit's extras install: entry-point prefix → the command that fixes it
EXTRAS = {"gymnasium.envs.box2d.": 'pip install "rlkit[box2d]"',
          "gymnasium.envs.mujoco.": 'pip install "rlkit[mujoco]"'}


def missing_dependency(env_id: str, exc: Exception) -> ConfigError:
    entry_point = str(gym.spec(env_id).entry_point)
    fix = next((cmd for prefix, cmd in EXTRAS.items() if entry_point.startswith(prefix)), None)
    how = f"install it with: {fix}" if fix else one_line(exc)
    return ConfigError(f"env {env_id!r} needs a package that is not installed; {how}")


def _make_one(env_id: str, kwargs: dict[str, Any], max_episode_steps: int | None, **extra: Any) -> gym.Env:
    try:
        return gym.make(env_id, max_episode_steps=max_episode_steps, **extra, **kwargs)
    except gym.error.DependencyNotInstalled as exc:
        raise missing_dependency(env_id, exc) from exc
    except TypeError as exc:  # typically an unknown kwarg for this env
        raise ConfigError(f"env {env_id!r} rejected its arguments {kwargs}: {one_line(exc)}") from exc


def env_options(config: dict[str, Any]) -> dict[str, Any]:
    """``make_env`` keyword arguments of a run's env config (id, kwargs, time limit, preprocessing)."""
    env = config["env"]
    return {"env_id": str(env["id"]), "kwargs": env.get("kwargs"), "max_episode_steps": env.get("max_episode_steps"),
            "preprocess": env.get("preprocess", "auto")}


def make_env(env_id: str, num_envs: int = 1, seed: int | None = None, device: torch.device | str = "cpu",
             kwargs: dict[str, Any] | None = None, max_episode_steps: int | None = None,
             preprocess: str | None = "auto", training: bool = True) -> VectorEnv:
    """A ``VectorEnv`` of ``num_envs`` copies of ``env_id``, reset with seeds ``seed, seed+1, ...``.

    ``preprocess`` names the wrappers put around each copy (rlkit/envs/preprocess.py; ``auto``: by the id's
    namespace, e.g. the DQN Atari preprocessing for ``ALE/…``); ``training=False`` is for evaluation envs
    (e.g. no reward clipping, whole games instead of one life per episode).
    """
    if num_envs < 1:
        raise ConfigError(f"num_envs={num_envs} must be a positive integer")
    env_id = resolve_env_id(env_id)
    pipeline = get_preprocess(preprocess, env_id)
    kwargs = {**pipeline.make_kwargs, **(kwargs or {})}
    env = VectorEnv([lambda: pipeline.wrap(_make_one(env_id, kwargs, max_episode_steps), training)
                     for _ in range(num_envs)], torch.device(device))
    env.reset(seed=seed)
    return env


def check_env(env_id: str, kwargs: dict[str, Any] | None = None,
              max_episode_steps: int | None = None) -> None:
    """Run gymnasium's env checker on a fresh ``env_id`` (what ``env.check=true`` does before training).

    A failed check (a reset that ignores its seed, a step that returns the wrong types, ...) becomes a
    ``ConfigError`` naming the env and the check, and nothing else is printed; when the env passes, the
    checker's advice (e.g. an observation outside its space) is shown as the usual warnings.
    """
    from gymnasium.utils.env_checker import check_env as gymnasium_check_env

    env_id = resolve_env_id(env_id)
    env = _make_one(env_id, dict(kwargs or {}), max_episode_steps, disable_env_checker=True)
    try:
        with warnings.catch_warnings(record=True) as advice:
            warnings.simplefilter("always")
            gymnasium_check_env(env.unwrapped, skip_render_check=True)
    except Exception as exc:  # noqa: BLE001 - the checker fails with assertions and with the env's own errors
        raise ConfigError(f"env {env_id!r} failed gymnasium's env checker: {one_line(exc)}") from exc
    finally:
        env.close()
    for w in advice:
        warnings.showwarning(w.message, w.category, w.filename, w.lineno)
