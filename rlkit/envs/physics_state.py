"""The physics state of a MuJoCo env, for checkpoints that continue its very episode.

gymnasium's MuJoCo envs are ``EzPickle``: a pickle holds their constructor arguments only, so an unpickled env is
a new simulator at its initial pose, never reset. What is missing is taken from the live env and copied into the
new one: MuJoCo's whole ``MjData`` (state, controls, the solver's warm start and the derived quantities such as
body positions that some rewards read before the next step; about 0.2-0.7 MB) and the env's random generator
(its resets draw from it). With both, the steps after a resume are bit for bit those of the uninterrupted run.
The wrappers around the env (time limit counter, ...) pickle whole as before.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any

import gymnasium as gym


def mujoco_env(env: gym.Env) -> Any | None:
    """The env's unwrapped MuJoCo env, or None when it is not one."""
    module = sys.modules.get("gymnasium.envs.mujoco.mujoco_env")
    if module is None:  # never imported: no MuJoCo env exists, and a Pendulum run does not pay for importing it
        return None
    inner = env.unwrapped
    return inner if isinstance(inner, module.MujocoEnv) else None


def get_physics_state(env: gym.Env) -> dict[str, Any]:
    """The simulator's data and the env's generator state, as picklable values."""
    inner = mujoco_env(env)
    return {"mj_data": pickle.dumps(inner.data), "np_random": inner.np_random.bit_generator.state}


def set_physics_state(env: gym.Env, saved: dict[str, Any]) -> None:
    """Copy a state from ``get_physics_state`` into an env of the same id (e.g. one just unpickled)."""
    import mujoco

    inner = mujoco_env(env)
    mujoco.mj_copyData(inner.data, inner.model, pickle.loads(saved["mj_data"]))
    inner.np_random.bit_generator.state = saved["np_random"]
