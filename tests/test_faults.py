"""Faults during a run: a non-finite loss, an env that raises, a write that fails (a full disk, an I/O error, a
read-only file system) stops the run with one line, and the last good checkpoint survives and resumes."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import time

import gymnasium as gym
import pytest
import torch

import rlkit.agents.dqn
import rlkit.checkpoint
from rlkit.checkpoint import load_checkpoint
from rlkit.errors import RunError
from rlkit.run import train
from tests.conftest import composed

SHORT = ("agent=dqn", "env=CartPole-v1", "total_steps=3000", "agent.learning_starts=200", "eval.every=3000",
         "eval.episodes=1", "checkpoint.every=400", "log_every=200", "agent.train_freq=1", "agent.gradient_steps=1")


def test_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    calls = {"n": 0}
    real_loss = rlkit.agents.dqn.q_loss

    def poisoned(q, target, kind="mse", weight=None):
        calls["n"] += 1
        loss = real_loss(q, target, kind, weight)
        return loss * float("nan") if calls["n"] == 300 else loss  # the 300th update goes bad

    monkeypatch.setattr(rlkit.agents.dqn, "q_loss", poisoned)
    with pytest.raises(RunError, match=r"losses/td_loss became non-finite at update 300\b"):
        train(composed(*SHORT), tmp_path)
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert 0 < state["progress"]["updates"] < 300  # saved before the poison, never after
    assert all(torch.isfinite(t).all() for t in state["agent"]["q_net"].values())


class ExplodingCartPole(gym.Wrapper):
    """CartPole that raises on its 700th step."""

    def __init__(self) -> None:
        super().__init__(gym.make("CartPole-v1"))
        self.steps = 0

    def step(self, action):
        self.steps += 1
        if self.steps == 700:
            raise RuntimeError("the simulator fell over")
        return self.env.step(action)


def test_env_exception_names_env_and_step_and_saves(tmp_path):
    gym.register("ExplodingCartPole-v0", entry_point=ExplodingCartPole, max_episode_steps=500)
    try:
        with pytest.raises(RunError, match=r"env 'ExplodingCartPole-v0' raised at env step 699: RuntimeError: the "
                                           r"simulator fell over; checkpoint saved"):
            train(composed(*SHORT[:1], "env=ExplodingCartPole-v0", *SHORT[2:]), tmp_path)
    finally:
        gym.registry.pop("ExplodingCartPole-v0")
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["progress"]["env_steps"] == 699


# --- faults while writing: a full disk, an I/O error, a read-only file system ---------------------------------
class FailingFile:
    """A real file whose writes raise ``OSError(code)`` once ``budget`` bytes have been written."""

    def __init__(self, file, code: int, budget: int) -> None:
        self.file, self.code, self.budget = file, code, budget

    def write(self, data):
        self.budget -= len(data)
        if self.budget < 0:
            raise OSError(self.code, os.strerror(self.code))
        return self.file.write(data)

    def __getattr__(self, name):
        return getattr(self.file, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.file.close()


def failing_open(monkeypatch, target: str, code: int, after: int = 0):
    """Every run-dir file opened through rlkit.checkpoint whose name is ``target``(.tmp) fails on the write after
    the first ``after`` opens of it."""
    opens = {"n": 0}

    def fake_open(path, mode="r", **kwargs):
        file = open(path, mode, **kwargs)
        if os.path.basename(path).removesuffix(".tmp") == target and "r" not in mode:
            opens["n"] += 1
            if opens["n"] > after:
                return FailingFile(file, code, budget=64)
        return file

    monkeypatch.setattr(rlkit.checkpoint, "open", fake_open, raising=False)


WRITE_FAULTS = [("last.pt", errno.ENOSPC, 2, "no space left on device"),
                ("best.pt", errno.ENOSPC, 0, "no space left on device"),
                ("metrics.csv", errno.EIO, 3, "input/output error"),
                ("summary.json", errno.EROFS, 0, "read-only file system")]


@pytest.mark.parametrize(("target", "code", "after", "reason"), WRITE_FAULTS, ids=[f[0] for f in WRITE_FAULTS])
def test_a_failed_write_is_one_line_naming_the_intact_checkpoint_and_the_run_resumes(tmp_path, monkeypatch, target,
                                                                                    code, after, reason):
    failing_open(monkeypatch, target, code, after)
    with pytest.raises(RunError) as info:
        train(composed(*SHORT), tmp_path)
    monkeypatch.undo()
    message = str(info.value)
    assert "\n" not in message
    last = tmp_path / "checkpoints" / "last.pt"
    step = load_checkpoint(last)["progress"]["env_steps"]
    assert re.fullmatch(rf"cannot write {re.escape(str(tmp_path))}/\S*{re.escape(target)}: {reason}; the last good "
                        rf"checkpoint \(step {step}\) is intact", message), message
    assert not list(tmp_path.rglob("*.tmp"))
    summary = train(composed(*SHORT, "resume=true"), tmp_path)
    assert summary["env_steps"] == 3000


def mount_tmpfs(path, size: str) -> bool:
    path.mkdir()
    if shutil.which("mount") is None:
        return False
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return proc.returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "600k"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def cli_short(run_dir, *extra):
    return subprocess.run([sys.executable, "-m", "rlkit", *SHORT, *extra, f"hydra.run.dir={run_dir}"],
                          capture_output=True, text=True, timeout=600, cwd=run_dir.parent)


def test_a_full_disk_is_one_line_and_the_last_checkpoint_resumes(small_disk, tmp_path):
    run_dir = small_disk / "run"
    proc = cli_short(run_dir)
    assert proc.returncode == 1, proc.stderr
    assert_one_error_line(proc.stderr, "rlkit: error: cannot write ")
    match = re.search(r"no space left on device; the last good checkpoint \(step (\d+)\) is intact", proc.stderr)
    assert match, proc.stderr
    assert not list(run_dir.rglob("*.tmp"))
    assert load_checkpoint(run_dir / "checkpoints" / "last.pt")["progress"]["env_steps"] == int(match.group(1))
    roomy = tmp_path / "roomy"
    shutil.copytree(run_dir, roomy)
    proc = subprocess.run([sys.executable, "-m", "rlkit", *SHORT, f"resume={roomy}"], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def assert_one_error_line(stderr: str, start: str) -> None:
    """The run's first line and the progress bar's, then exactly one error line, the last; no traceback."""
    errors = [line for line in stderr.splitlines() if line.startswith("rlkit: error")]
    assert len(errors) == 1 and errors[0].startswith(start) and stderr.strip().endswith(errors[0]), stderr
    assert "Traceback" not in stderr and "enforce fail" not in stderr, stderr


def test_a_disk_that_fills_mid_run_keeps_the_checkpoint_before(tmp_path):
    """Another program fills the disk while the run trains (a read-only remount is refused while files are open
    for writing, so EROFS is covered by the patched test above)."""
    disk = tmp_path / "disk"
    if not mount_tmpfs(disk, "8m"):
        pytest.skip("cannot mount a tmpfs here (needs root and mount rights)")
    try:
        run_dir = disk / "run"
        proc = subprocess.Popen([sys.executable, "-m", "rlkit", *SHORT[:2], "total_steps=1000000",
                                 *SHORT[3:], "eval.every=1000000", "checkpoint.every=500", "agent.buffer_size=2000",
                                 f"hydra.run.dir={run_dir}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                text=True, cwd=tmp_path)
        last = run_dir / "checkpoints" / "last.pt"
        deadline = time.time() + 120
        while proc.poll() is None and time.time() < deadline and not (
                last.exists() and load_checkpoint(last)["progress"]["env_steps"] > 0):
            time.sleep(0.1)
        with open(disk / "filler", "wb", buffering=0) as filler:  # the disk full
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err
        assert_one_error_line(err, "rlkit: error: cannot write ")
        match = re.search(r"no space left on device; the last good checkpoint \(step (\d+)\) is intact", err)
        assert match and int(match.group(1)) > 0, err
        assert not list(run_dir.rglob("*.tmp"))
        (disk / "filler").unlink()
        assert load_checkpoint(last)["progress"]["env_steps"] == int(match.group(1))
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
