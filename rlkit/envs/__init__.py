"""Environments: gymnasium ids (and plugins) made into tensor-speaking vector envs."""

from rlkit.envs.make import make_env, resolve_env_id
from rlkit.envs.vector import Transition, VectorEnv

__all__ = ["Transition", "VectorEnv", "make_env", "resolve_env_id"]
