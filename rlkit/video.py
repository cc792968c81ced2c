"""Videos of the deterministic policy: gymnasium's ``RecordVideo`` on an ``rgb_array`` env, encoded to MP4 by
moviepy with the ffmpeg that the imageio-ffmpeg wheel carries (the ``[video]`` extra; nothing is downloaded)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import gymnasium as gym

from rlkit.agents import Agent
from rlkit.envs.make import env_options
from rlkit.errors import ConfigError
from rlkit.seeding import evaluation_seed


def check_video_support(config: dict[str, Any]) -> None:
    """One line, before any work, when videos cannot be made: the extra is missing or the env cannot render."""
    try:
        import moviepy  # noqa: F401 - gymnasium's RecordVideo encodes with it
    except ImportError:
        raise ConfigError("videos need moviepy and imageio-ffmpeg: pip install 'rlkit[video]'") from None
    from rlkit.envs.make import resolve_env_id

    env_id = resolve_env_id(str(config["env"]["id"]))
    env = gym.make(env_id, **(config["env"].get("kwargs") or {}))
    modes = env.metadata.get("render_modes", [])
    env.close()
    if "rgb_array" not in modes:
        raise ConfigError(f"env={config['env']['id']}: cannot be filmed, it has no rgb_array rendering "
                          f"(render modes: {', '.join(modes) or 'none'})")


def record_episodes(agent: Agent, config: dict[str, Any], folder: Path, episodes: int, seed: int,
                    name_prefix: str) -> list[Path]:
    """Play ``episodes`` deterministic episodes (seeds ``seed, seed+1, ...``), one MP4 each in ``folder``."""
    from rlkit.envs.make import _make_one, resolve_env_id
    from rlkit.envs.preprocess import get_preprocess
    from rlkit.policy import Policy

    check_video_support(config)
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")  # pygame-rendered envs draw off-screen: no display needed
    options = env_options(config)
    env_id = resolve_env_id(options["env_id"])
    pipeline = get_preprocess(options["preprocess"], env_id)
    env = _make_one(env_id, {**pipeline.make_kwargs, **(options["kwargs"] or {})}, options["max_episode_steps"],
                    render_mode="rgb_array")
    before = set(folder.glob(f"{name_prefix}*.mp4"))
    policy = Policy(agent, config, Path())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # RecordVideo's note that the folder already holds videos
        # the camera films the game itself; the agent sees it through the evaluation preprocessing
        env = pipeline.wrap(gym.wrappers.RecordVideo(env, str(folder), episode_trigger=lambda i: True,
                                                     name_prefix=name_prefix, disable_logger=True), False)
        try:
            for i in range(episodes):
                obs, _ = env.reset(seed=seed + i)
                done = False
                while not done:
                    obs, _, terminated, truncated, _ = env.step(policy(obs))
                    done = terminated or truncated
        finally:
            env.close()  # writes the last episode's video
    return sorted(set(folder.glob(f"{name_prefix}*.mp4")) - before)


class EvalRecorder:
    """``eval.video=true``: one filmed evaluation episode per evaluation, into ``<run dir>/videos``.

    The trainer sees only its ``record`` method (``rlkit.trainer.Recorder``); ``rlkit.run`` builds it by name, so
    training never imports this module unless videos were asked for."""

    def __init__(self, config: dict[str, Any], run_dir: Path) -> None:
        check_video_support(config)
        self.config, self.folder, self.seed = config, Path(run_dir) / "videos", evaluation_seed(int(config["seed"]))

    def record(self, agent: Agent, step: int) -> list[Path]:
        return record_episodes(agent, self.config, self.folder, 1, self.seed, f"eval-step{step}")
