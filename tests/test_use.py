"""Using what was trained: evaluate a run dir, film it, load its policy, export it, train from Python."""

from __future__ import annotations

import json
import subprocess
import sys

import gymnasium as gym
import numpy as np
import pytest
import torch

import rlkit
from rlkit.errors import ConfigError
from rlkit.evaluate import main as evaluate_main
from rlkit.export import export
from tests.conftest import run_cli

RUNS = {
    "ddpg": ("agent=ddpg", "env=Pendulum-v1", "total_steps=600", "agent.learning_starts=200"),
    "dqn": ("agent=dqn", "env=CartPole-v1", "total_steps=2000", "agent.learning_starts=500"),
}
COMMON = ("eval.every=1000", "eval.episodes=3", "seed=1")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    dirs = {}
    for agent, overrides in RUNS.items():
        run_dir = tmp_path_factory.mktemp(agent) / "run"
        proc = run_cli(*overrides, *COMMON, run_dir=run_dir)
        assert proc.returncode == 0, proc.stderr
        dirs[agent] = run_dir
    return dirs


@pytest.mark.parametrize("agent", list(RUNS))
def test_evaluate_last_reproduces_the_final_evaluation(runs, agent, capsys):
    result = evaluate_main([str(runs[agent]), "--checkpoint", "last", "--episodes", "3"])
    summary = json.loads((runs[agent] / "summary.json").read_text())
    assert result["return_mean"] == pytest.approx(summary["eval_return_mean"], abs=1e-9)
    saved = json.loads((runs[agent] / "eval.json").read_text())
    assert {"return_mean", "return_std", "episodes", "checkpoint"} <= set(saved) and saved["episodes"] == 3
    assert saved["checkpoint"].endswith("last.pt")
    assert " ± " in capsys.readouterr().out


@pytest.mark.parametrize("agent", list(RUNS))
def test_loaded_policy_plays_the_evaluation_episode_exactly(runs, agent):
    """rlkit.load gives the trained agent's actions: replaying eval episode 0 yields its very return."""
    evaluated = evaluate_main([str(runs[agent]), "--checkpoint", "last", "--episodes", "3"])
    policy = rlkit.load(runs[agent], which="last")
    env = gym.make(policy.config["env"]["id"])
    obs, _ = env.reset(seed=evaluated["seed"])
    total, done = 0.0, False
    while not done:
        action = policy(obs)
        assert env.action_space.contains(action)
        obs, reward, terminated, truncated, _ = env.step(action)
        total, done = total + float(reward), terminated or truncated
    assert total == pytest.approx(evaluated["returns"][0], rel=1e-6)  # the vector env sums float32 rewards
    batch = np.stack([env.observation_space.sample() for _ in range(5)])
    one_at_a_time = np.stack([policy(o) for o in batch])  # a batch of 1 rounds like any other batch size
    np.testing.assert_allclose(policy(batch), one_at_a_time, rtol=1e-5, atol=1e-6)
    assert np.array_equal(policy(torch.as_tensor(batch)), policy(batch))  # torch in, NumPy out


@pytest.mark.parametrize("agent", list(RUNS))
@pytest.mark.parametrize("fmt", ["onnx", "torchscript"])
def test_exported_policy_matches_pytorch_on_100_observations(runs, agent, fmt, tmp_path):
    out = export(runs[agent], fmt, tmp_path / f"policy.{fmt}")
    policy = rlkit.load(runs[agent])
    obs = np.stack([policy.observation_space.sample() for _ in range(100)]).astype(np.float32)
    expected = policy(obs)
    if fmt == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(out))
        got = session.run(None, {"obs": obs})[0]
    else:
        got = torch.jit.load(str(out))(torch.as_tensor(obs)).numpy()
    if agent == "dqn":
        assert np.array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_video_decodes_and_has_frames(runs):
    import imageio

    result = evaluate_main([str(runs["ddpg"]), "--episodes", "1", "--video"])
    (video,) = result["videos"]
    reader = imageio.get_reader(video, "ffmpeg")
    frames = [frame for frame in reader]
    assert len(frames) >= 200 and frames[0].ndim == 3  # a whole 200-step Pendulum episode


def test_train_from_python_writes_what_the_cli_writes(runs, tmp_path):
    run = rlkit.train("ddpg", "Pendulum-v1", [*RUNS["ddpg"][2:], *COMMON], run_dir=tmp_path / "py")
    cli_summary = json.loads((runs["ddpg"] / "summary.json").read_text())
    assert set(run.summary) == set(cli_summary)
    assert run.summary["eval_return_mean"] == cli_summary["eval_return_mean"]  # same config, same seed
    assert run.config["agent"]["train_freq"] == 2  # the agents_zoo preset applied, as on the CLI
    assert (run.dir / ".hydra" / "config.yaml").is_file()
    with pytest.raises(ConfigError, match="agent.gamma=3"):
        rlkit.train("ddpg", "Pendulum-v1", ["agent.gamma=3"], run_dir=tmp_path / "bad")


class Blind(gym.Env):
    """An env that cannot be filmed: no render modes."""

    observation_space = gym.spaces.Box(-1, 1, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return self.observation_space.sample(), {}

    def step(self, action):
        return self.observation_space.sample(), 1.0, False, False, {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{tmp}/nowhere"], "no such run dir or checkpoint file"),
        (["{tmp}"], "no checkpoint checkpoints/best.pt"),
        (["{ddpg}", "--checkpoint", "{dqn}/checkpoints/best.pt"], "a checkpoint of agent 'dqn'"),
        (["{ddpg}", "--episodes", "0"], "--episodes=0"),
    ],
)
def test_evaluate_bad_input_is_one_line(runs, tmp_path, args, message):
    argv = [a.format(tmp=tmp_path, ddpg=runs["ddpg"], dqn=runs["dqn"]) for a in args]
    proc = subprocess.run([sys.executable, "-m", "rlkit.evaluate", *argv], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stderr.startswith("rlkit: error: ") and message in proc.stderr, proc.stderr
    assert proc.stderr.count("\n") == 1


def test_export_unknown_format_is_one_line(runs, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlkit.export", str(runs["dqn"]), "--format", "tflite",
                           "--out", str(tmp_path / "x")], capture_output=True, text=True)
    assert proc.returncode == 2 and "--format=tflite: one of onnx, torchscript" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_video_of_an_env_without_rendering_is_one_line(tmp_path, capsys):
    gym.register("Blind-v0", entry_point=Blind, max_episode_steps=20)
    try:
        rlkit.train("dqn", "Blind-v0", ["total_steps=100", "agent.learning_starts=50", "eval.episodes=1"],
                    run_dir=tmp_path / "run")
        capsys.readouterr()  # the training run's progress lines
        with pytest.raises(SystemExit) as exit_info:
            evaluate_main([str(tmp_path / "run"), "--video"])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert "env=Blind-v0: cannot be filmed, it has no rgb_array rendering" in err and err.count("\n") == 1
    finally:
        gym.registry.pop("Blind-v0")


def test_eval_video_during_training_records_each_evaluation(tmp_path):
    run = rlkit.train("ddpg", "Pendulum-v1", ["total_steps=400", "agent.learning_starts=100", "eval.every=200",
                                              "eval.episodes=1", "eval.video=true", "logger=tensorboard"],
                      run_dir=tmp_path / "run")
    assert sorted(p.name for p in (run.dir / "videos").glob("*.mp4")) == [
        "eval-step200-episode-0.mp4", "eval-step400-episode-0.mp4"]
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    events = EventAccumulator(str(run.dir / "tensorboard"), size_guidance={"images": 0})
    events.Reload()
    assert [e.step for e in events.Images("eval/video")] == [200, 400]  # TensorBoard keeps videos as GIFs
