"""Files that are not rlkit's: a truncated, empty, garbage or foreign .pt where a checkpoint should be is one line
saying what it is and what was expected, at resume, evaluate, load and export; never torch's advice to load it
with ``weights_only=False`` (rlkit loads weights only)."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys

import pytest
import torch

import rlkit
from rlkit.errors import ConfigError
from rlkit.evaluate import main as evaluate_main
from rlkit.export import export
from tests.conftest import run_cli

SHORT = ("agent=dqn", "env=CartPole-v1", "total_steps=400", "agent.learning_starts=100", "eval.every=400",
         "eval.episodes=1")


class NotAWeight:
    pass


def write_kind(path, kind: str) -> None:
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "garbage":
        path.write_bytes(b"this is not a checkpoint at all\n" * 20)
    elif kind == "tensor":
        torch.save(torch.zeros(3), path)
    elif kind == "foreign":  # another library's checkpoint dict
        torch.save({"state_dict": {"fc.weight": torch.zeros(2, 2)}, "epoch": 3, "optimizer": {}}, path)
    elif kind == "objects":  # pickled classes: weights_only refuses them
        torch.save({"agent": NotAWeight()}, path)
    elif kind == "pickle":
        path.write_bytes(pickle.dumps({"a": 1}))
    else:
        raise AssertionError(kind)


KINDS = {"empty": "an empty file", "truncated": "a truncated or damaged torch file", "garbage": "not a torch file",
         "tensor": "a saved Tensor, not a dict", "foreign": "a dict with keys state_dict, epoch, optimizer",
         "objects": "a pickle of Python objects other than tensors", "pickle": "a pickle"}


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("foreign") / "run"
    proc = run_cli(*SHORT, run_dir=run_dir)
    assert proc.returncode == 0, proc.stderr
    return run_dir


@pytest.fixture
def spoiled(finished, tmp_path, request):
    run_dir = tmp_path / "run"
    shutil.copytree(finished, run_dir)
    for name in ("last.pt", "best.pt"):
        write_kind(run_dir / "checkpoints" / name, request.param)
    return run_dir, request.param


def assert_one_line(message: str, kind: str, expected: str = "expected an rlkit checkpoint") -> None:
    assert "\n" not in message.strip(), message
    assert KINDS[kind] in message and expected in message, message
    assert "weights_only" not in message and "Traceback" not in message, message


@pytest.mark.parametrize("spoiled", list(KINDS), indirect=True)
def test_load_evaluate_export_name_what_the_file_is(spoiled, capsys):
    run_dir, kind = spoiled
    with pytest.raises(ConfigError) as info:
        rlkit.load(run_dir)
    assert_one_line(str(info.value), kind)
    with pytest.raises(ConfigError) as info:
        export(run_dir, "torchscript", run_dir / "policy.pt")
    assert_one_line(str(info.value), kind)
    with pytest.raises(SystemExit) as exit_info:
        evaluate_main([str(run_dir), "--episodes", "1"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("rlkit: error: ")
    assert_one_line(err, kind)


@pytest.mark.parametrize("spoiled", ["truncated", "foreign", "objects", "garbage"], indirect=True)
def test_resume_names_what_the_file_is(spoiled):
    run_dir, kind = spoiled
    proc = subprocess.run([sys.executable, "-m", "rlkit", *SHORT[:2], "total_steps=800", f"resume={run_dir}"],
                          capture_output=True, text=True, timeout=300, cwd=run_dir.parent)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"rlkit: error: resume={run_dir}: {run_dir}/checkpoints/last.pt: "), proc.stderr
    assert_one_line(proc.stderr, kind)


@pytest.mark.parametrize("spoiled", ["empty"], indirect=True)
def test_evaluate_and_export_from_the_command_line_are_one_line(spoiled, tmp_path):
    run_dir, kind = spoiled
    for command in (["rlkit.evaluate", str(run_dir)], ["rlkit.export", str(run_dir), "--format", "torchscript",
                                                       "--out", str(tmp_path / "p.pt")]):
        proc = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.startswith("rlkit: error: "), proc.stderr
        assert_one_line(proc.stderr, kind)
