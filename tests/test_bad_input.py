"""Every bad input is one line ``rlkit: error: <key>=<value>: <what is accepted>``, exit 2, before any work, and
an earlier run's files are left as they were."""

from __future__ import annotations

import subprocess
import sys

import pytest
import torch

from rlkit.checkpoint import load_checkpoint, save_checkpoint

DQN = ("agent=dqn", "env=CartPole-v1")
# (overrides, text the one error line must contain: the key, usually with its value)
CASES = [
    (("agent=nosuch",), "agent=nosuch: unknown agent"),
    (("agent=ac", "env=CartPole-v1", "preset=zz"),
     "preset=zz: no such variant of the ac preset for CartPole-v1 (agents_zoo/ac/CartPole-v1.yaml); available: "
     "default, none, q"),
    (("agent=ac", "env=Acrobot-v1", "preset=q"), "preset=q: no such variant of the ac preset for Acrobot-v1"),
    (("preset=0",), "preset=0: preset is a config group"),
    (("env=CartPole-v1,Acrobot-v1",), "env=CartPole-v1,Acrobot-v1: a list of env options sweeps them only in a "
     "multirun: python -m rlkit -m env=CartPole-v1,Acrobot-v1"),
    (("env=NoSuchEnv-v0",), "env=NoSuchEnv-v0: unknown env"),
    (("agent=ddpg", "env=CartPole-v1"), "env=CartPole-v1: ddpg drives continuous"),
    (("device=tpu",), "device=tpu: one of auto, cpu, cuda"),
    (("total_steps=0",), "total_steps=0: a positive integer"),
    (("agent.gamma=1.5",), "agent.gamma=1.5: a number in (0, 1]"),
    (("agent.gamma=0",), "agent.gamma=0: a number in (0, 1]"),
    (("agent=ddpg", "agent.gamma=-0.5"), "agent.gamma=-0.5"),
    (("agent=reinforce", "env=CartPole-v1", "agent.gamma=2"), "agent.gamma=2"),
    (("seed=abc",), "seed=abc: an integer from 0 to"),
    (("seed=99999999999999",), "seed=99999999999999: an integer from 0 to 4294963199"),
    (("seed=-1",), "seed=-1"),
    (("+anything=3",), "anything=3: unknown key"),
    (("agent.gama=0.9",), "agent.gama: unknown key of agent ddpg; did you mean agent.gamma"),
    (("agent=ac", "env=CartPole-v1", "agent.eps_end=0.1"), "agent.eps_end: unknown key of agent ac; did you mean "
     "agent.n_steps, agent.nstep?"),  # ac's own keys, not dqn's epsilon_end
    (("+agent.gama=0.9",), "agent.gama=0.9: unknown key; did you mean agent.gamma"),
    (("agent.actor_lr=0",), "agent.actor_lr=0: a number > 0"),
    ((*DQN, "agent.lr=-1"), "agent.lr=-1"),
    (("agent.tau=0",), "agent.tau=0"),
    (("agent.tau=1.5",), "agent.tau=1.5"),
    ((*DQN, "agent.batch_size=100", "agent.buffer_size=50"), "agent.batch_size=100: at most agent.buffer_size=50"),
    ((*DQN, "agent.batch_size=1.5"), "agent.batch_size=1.5"),
    ((*DQN, "agent.epsilon_start=1.5"), "agent.epsilon_start=1.5: a number in [0, 1]"),
    ((*DQN, "agent.epsilon_end=-0.1"), "agent.epsilon_end=-0.1"),
    ((*DQN, "agent.loss=l3"), "agent.loss=l3: one of mse, huber"),
    ((*DQN, "agent.td_steps=0"), "agent.td_steps=0"),
    (("agent=ddpg", "agent.learning_starts=-1"), "agent.learning_starts=-1"),
    (("num_envs=0",), "num_envs=0"),
    (("threads=0",), "threads=0"),
    (("log_every=-5",), "log_every=-5"),
    (("eval.every=0",), "eval.every=0"),
    (("eval.episodes=0",), "eval.episodes=0"),
    (("checkpoint.every=0",), "checkpoint.every=0"),
    (("env.max_episode_steps=0",), "env.max_episode_steps=0"),
    (("network.hidden=[0]",), "network.hidden=[0]"),
    (("network.impl=fast",), "network.impl=fast: one of explicit, native"),
    (("network=foo",), "network=foo: no such option; available: mlp"),
    (("logger.nosuch.enabled=true",), "logger.nosuch"),
    (("resume=true",), "resume=true: no checkpoint at"),
    (("resume=/no/such/run",), "resume=/no/such/run: no checkpoint at"),
    (("resume=3",), "resume=3"),
]
if not torch.cuda.is_available():
    CASES.append((("device=cuda",), "device=cuda: no CUDA GPU"))


@pytest.mark.parametrize(("overrides", "message"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(cli, tmp_path, overrides, message):
    proc = cli(*overrides)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("rlkit: error: "), proc.stderr
    assert message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert not (tmp_path / "run").exists()  # a fresh run dir is not left behind


def test_bad_input_leaves_an_earlier_run_untouched(cli, tmp_path):
    short = ("total_steps=400", "agent.learning_starts=100", "eval.every=400", "eval.episodes=1")
    assert cli(*short).returncode == 0
    run = tmp_path / "run"
    files = {p: p.read_bytes() for p in run.rglob("*") if p.is_file()}
    for overrides in [("agent.gamma=2",), ("agent=dqn", "env=CartPole-v1", "resume=true"),
                      ("network.hidden=[32]", "resume=true")]:
        proc = cli(*short, *overrides)
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert {p: p.read_bytes() for p in run.rglob("*") if p.is_file()} == files


def test_resuming_another_network_names_the_keys_that_differ(cli):
    short = ("total_steps=400", "agent.learning_starts=100", "eval.every=400", "eval.episodes=1")
    assert cli(*short).returncode == 0
    proc = cli(*short, "network.hidden=[32]", "agent.tau=0.01", "resume=true")
    assert proc.returncode == 2
    assert "agent.tau=0.01: the run being resumed has 0.005 (also network.hidden)" in proc.stderr, proc.stderr


def test_full_error_shows_the_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rlkit", "agent.gama=0.9", f"hydra.run.dir={tmp_path / 'r'}"],
                          capture_output=True, text=True, env={"HYDRA_FULL_ERROR": "1", "PATH": "/usr/bin"})
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_unwritable_run_dir_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = subprocess.run([sys.executable, "-m", "rlkit", f"hydra.run.dir={blocker / 'run'}"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"rlkit: error: hydra.run.dir={blocker / 'run'}"), proc.stderr
    assert proc.stderr.strip().count("\n") == 0


def test_a_checkpoint_from_before_an_option_existed_resumes_with_its_default_and_refuses_another_value(cli, tmp_path):
    short = ("agent=reinforce", "env=CartPole-v1", "total_steps=400", "eval.every=400", "eval.episodes=1")
    assert cli(*short).returncode == 0
    last = tmp_path / "run" / "checkpoints" / "last.pt"
    state = load_checkpoint(last)
    del state["config"]["agent"]["entropy_coef"]  # as written by rlkit before reinforce had the option
    save_checkpoint(last, state)
    proc = cli(*short, "agent.entropy_coef=0.1", "resume=true")
    assert proc.returncode == 2
    assert "agent.entropy_coef=0.1: the run being resumed has null" in proc.stderr, proc.stderr
    proc = cli(*short[:-3], "total_steps=600", "eval.every=400", "eval.episodes=1", "resume=true")
    assert proc.returncode == 0, proc.stderr
