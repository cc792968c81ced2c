"""One run per run dir: a fresh run never silently replaces an earlier one (``overwrite=true`` does, on purpose),
and while a run trains it holds its run dir, so a second process writing into it is refused in one line naming
the holder's pid, and the holder carries on. Tools that only read (evaluate, load, export) stay allowed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from omegaconf import OmegaConf

from rlkit.checkpoint import load_checkpoint
from tests.conftest import run_cli

LOCK_NAME = ".rlkit.lock"

SHORT = ("agent=dqn", "env=CartPole-v1", "total_steps=400", "agent.learning_starts=100", "eval.every=400",
         "eval.episodes=1")


def files(run_dir) -> dict:
    return {p.relative_to(run_dir): p.read_bytes() for p in run_dir.rglob("*") if p.is_file()}


def one_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.startswith("rlkit: error: ") and proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("finished") / "run"
    proc = run_cli(*SHORT, run_dir=run_dir)
    assert proc.returncode == 0, proc.stderr
    return run_dir


def test_a_fresh_run_into_a_dir_holding_a_run_refuses_and_leaves_it_untouched(finished):
    before = files(finished)
    line = one_line(run_cli(*SHORT, "seed=7", run_dir=finished))
    assert f"hydra.run.dir={finished}: holds an earlier run (checkpoints/last.pt" in line
    assert "resume=true" in line and "another hydra.run.dir" in line and "overwrite=true" in line
    assert files(finished) == before
    assert not (finished / LOCK_NAME).exists()


def test_overwrite_true_replaces_the_earlier_run(tmp_path):
    run_dir = tmp_path / "run"
    assert run_cli(*SHORT, run_dir=run_dir).returncode == 0
    (run_dir / "notes.txt").write_text("mine")  # not rlkit's: kept
    proc = run_cli(*SHORT, "seed=7", "overwrite=true", run_dir=run_dir)
    assert proc.returncode == 0, proc.stderr
    assert OmegaConf.load(run_dir / ".hydra" / "config.yaml").seed == 7
    assert load_checkpoint(run_dir / "checkpoints" / "last.pt")["config"]["seed"] == 7
    assert (run_dir / "notes.txt").read_text() == "mine"
    line = one_line(run_cli(*SHORT, "overwrite=true", "resume=true", run_dir=run_dir))
    assert "overwrite=true: resume=true continues the run" in line


def test_a_rejected_overwrite_deletes_nothing(finished):
    before = files(finished)
    one_line(run_cli(*SHORT, "overwrite=true", "agent.gamma=2", run_dir=finished))
    one_line(run_cli(*SHORT[:1], "env=NoSuchEnv-v0", *SHORT[2:], "overwrite=true", run_dir=finished))
    assert files(finished) == before


def test_a_fresh_run_in_a_dir_without_a_run_starts(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "README").write_text("a folder made by hand")
    assert run_cli(*SHORT, run_dir=run_dir).returncode == 0


def held_commands(run_dir):
    """Every way a second process writes into a run dir."""
    fresh = [sys.executable, "-m", "rlkit", *SHORT, f"hydra.run.dir={run_dir}", "overwrite=true"]
    resume = [sys.executable, "-m", "rlkit", *SHORT[:2], "total_steps=800", f"resume={run_dir}"]
    resume_true = [sys.executable, "-m", "rlkit", *SHORT[:2], "total_steps=800", "resume=true",
                   f"hydra.run.dir={run_dir}"]
    sweep = [sys.executable, "-m", "rlkit", "-m", *SHORT, "seed=0", "resume=auto", f"hydra.sweep.dir={run_dir.parent}",
             f"hydra.sweep.subdir={run_dir.name}"]
    video = [sys.executable, "-m", "rlkit.evaluate", str(run_dir), "--episodes", "1", "--video"]
    return {"fresh": fresh, "resume=<dir>": resume, "resume=true": resume_true, "sweep resume=auto": sweep,
            "evaluate --video": video}


def test_a_second_process_on_a_held_run_dir_is_one_line_naming_the_holder(finished):
    from rlkit.checkpoint import RunDirBusy, RunDirLock

    before = files(finished)
    with RunDirLock(finished).acquire(lambda pid: "held"):
        for name, command in held_commands(finished).items():
            proc = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=finished.parent)
            line = one_line(proc)
            assert f"pid {os.getpid()}" in line, (name, line)
        with pytest.raises(RunDirBusy, match=f"pid {os.getpid()}"):
            RunDirLock(finished).acquire(lambda pid: f"pid {pid}")
        # reading is allowed while it is held
        proc = subprocess.run([sys.executable, "-m", "rlkit.evaluate", str(finished), "--episodes", "1"],
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        assert (finished / LOCK_NAME).exists()
    assert not (finished / LOCK_NAME).exists()
    after = files(finished)
    assert {k: v for k, v in after.items() if k.name != "eval.json"} == {
        k: v for k, v in before.items() if k.name != "eval.json"}


def test_the_lock_goes_with_a_killed_holder(tmp_path):
    from rlkit.checkpoint import RunDirLock

    holder = ("import os, signal, sys; from rlkit.checkpoint import RunDirLock; "
              "RunDirLock(sys.argv[1]).acquire(str); os.kill(os.getpid(), signal.SIGKILL)")
    proc = subprocess.run([sys.executable, "-c", holder, str(tmp_path)], timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert (tmp_path / LOCK_NAME).exists()  # left behind by kill -9, but nobody holds it
    RunDirLock(tmp_path).acquire(str).release()


def test_resume_beside_a_training_run_is_refused_and_the_run_goes_on(tmp_path):
    run_dir = tmp_path / "run"
    long_run = (*SHORT[:2], "total_steps=1000000", "agent.learning_starts=100", "eval.every=1000000",
                "eval.episodes=1", "checkpoint.every=500")
    holder = subprocess.Popen([sys.executable, "-m", "rlkit", *long_run, f"hydra.run.dir={run_dir}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        last = run_dir / "checkpoints" / "last.pt"
        deadline = time.time() + 120
        while not last.exists() and holder.poll() is None and time.time() < deadline:
            time.sleep(0.1)
        assert holder.poll() is None, holder.stderr.read()
        proc = subprocess.run([sys.executable, "-m", "rlkit", *long_run, f"resume={run_dir}"],  # the same run
                              capture_output=True, text=True,
                              timeout=90, cwd=tmp_path)  # refused in seconds; a resume that trains runs past it
        assert f"in use by another rlkit process (pid {holder.pid})" in one_line(proc)
        assert holder.poll() is None  # the holder is unaffected
    finally:
        holder.send_signal(signal.SIGTERM)
        _, err = holder.communicate(timeout=120)
    assert holder.returncode == 143, err
    assert "Traceback" not in err
    assert load_checkpoint(run_dir / "checkpoints" / "last.pt")["progress"]["env_steps"] > 0
    assert not list(run_dir.rglob("*.tmp"))
