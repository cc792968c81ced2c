"""``python -m rlkit.bench zoo``: every preset found, one seed sweep each with resume=auto, one report."""

from __future__ import annotations

import json
import subprocess
import sys

from rlkit.bench.zoo import presets, zoo_folder


def zoo(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rlkit.bench", "zoo", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def test_every_preset_is_found_and_search_spaces_are_not():
    found = presets(zoo_folder())
    assert ("dqn", "CartPole-v1", "default") in found and ("ddpg", "Pendulum-v1", "default") in found
    assert ("dqn", "MinAtar/Breakout-v1", "default") in found and ("dqn", "ALE/Breakout-v5", "default") in found
    assert ("ac", "CartPole-v1", "q") in found  # a named variant: agents_zoo/ac/CartPole-v1/q.yaml
    assert not any(env.startswith("search") or "_family" in env for _, env, _ in found)
    files = [p for p in zoo_folder().rglob("*.yaml") if "search" not in p.parts and p.stem != "_family"]
    assert len(found) == len(files)


def test_list_runs_a_variant_with_its_preset_name(tmp_path):
    proc = zoo("--list", "--only", "ac/CartPole", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "python -m rlkit -m agent=ac env=CartPole-v1 seed=0,1,2,3,4 hydra.sweep.dir=multirun/zoo/ac-CartPole-v1 "
        "resume=auto",
        "python -m rlkit -m agent=ac env=CartPole-v1 preset=q seed=0,1,2,3,4 "
        "hydra.sweep.dir=multirun/zoo/ac-CartPole-v1-q resume=auto"]
    proc = zoo("--list", "--only", "ac/CartPole", "--seeds", "0", "1", "--skip", "preset=q", cwd=tmp_path)
    assert proc.stdout.splitlines() == ["python -m rlkit -m agent=ac env=CartPole-v1 seed=0,1 "
                                        "hydra.sweep.dir=multirun/zoo/ac-CartPole-v1 resume=auto"]


def test_list_prints_one_resumable_sweep_per_preset(tmp_path):
    proc = zoo("--list", "--skip", "ALE/", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(presets(zoo_folder())) - 1
    assert ("python -m rlkit -m agent=dqn env=MinAtar/Breakout-v1 seed=0,1,2,3,4 "
            "hydra.sweep.dir=multirun/zoo/dqn-MinAtar-Breakout-v1 resume=auto") in lines
    assert not list(tmp_path.iterdir())  # nothing run, nothing written


def test_a_sweep_and_its_report_then_the_same_command_skips_what_finished(tmp_path):
    args = ("--only", "dqn/CartPole", "--seeds", "0", "1", "--out", "zoo", "total_steps=300",
            "agent.learning_starts=100", "eval.episodes=1")
    proc = zoo(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = sorted((tmp_path / "zoo" / "dqn-CartPole-v1").glob("*/summary.json"))
    assert [json.loads(p.read_text())["seed"] for p in runs] == [0, 1]
    text = (tmp_path / "zoo" / "report" / "report.md").read_text()
    assert "| dqn | CartPole-v1 |" in text and " of 2 (≥ 475.0) |" in text  # seeds counted against the bar
    again = zoo(*args, cwd=tmp_path)
    assert again.returncode == 0 and again.stderr.count("finished earlier; resume=auto does not run it again") == 2


def test_no_matching_preset_is_one_line_and_exit_2(tmp_path):
    proc = zoo("--only", "nosuch/Env-v0", cwd=tmp_path)
    assert proc.returncode == 2 and "no preset matches --only nosuch/Env-v0" in proc.stderr
