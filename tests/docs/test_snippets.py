"""Every command and Python snippet of the site is run, or marked not run with a reason.

Convention (docs/pages/contributing.md, parsed by blocks.py): ``sh`` blocks are run unless the line before the
fence is ``<!-- not run: REASON -->``; under ``<!-- exits 2 -->`` each command must fail with exit 2 and an
``rlkit: error:`` line; ``python`` blocks are all executed. Per page, in one temporary working directory: the
shell commands first, in order, then the page's Python blocks in order, in one Python process.

Short budgets, so the whole page set runs in a couple of minutes on 2 cores:

* ``python -m rlkit ...`` trains ``total_steps=300`` (a given ``total_steps=N`` becomes ``max(200, N // 100)``, so a
  resume that extends a run still extends it), with 2 evaluation episodes; a sweep's seed list keeps two seeds;
* ``RUN_DIR``, ``runs/<run>`` and dated ``runs/<agent>-<env>-s<seed>/<time>`` paths are one short DDPG run shared
  by all pages (logged to TensorBoard and offline wandb too); ``multirun/<time>`` is the page's newest sweep;
* the example plugin is installed once for the plugins page, as tests/test_plugins.py does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.blocks import PAGES, blocks, commands, indented_commands, pages
from tests.test_plugins import example_plugin  # noqa: F401 - the fixture, for the plugins page

REPO = PAGES.parents[1]
SHELL = {"sh", "bash", "shell", "console"}
NEEDS_PLUGIN = {"plugins.md"}
ALLOWED_NOT_RUN = ("pip install", "gpu", "ray", "network", "server", "minute", "benchmark", "test suite")


def env() -> dict[str, str]:
    return {**os.environ, "MPLBACKEND": "Agg", "WANDB_MODE": "offline", "WANDB_SILENT": "true",
            "SDL_VIDEODRIVER": "dummy", "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "PYTHONPATH": str(REPO / "tests" / "loggers")}  # tracking.md imports wandb_records from there


def shorter(steps: re.Match) -> str:
    return f"total_steps={max(200, int(steps[1]) // 100)}"


def two_seeds(seeds: re.Match) -> str:
    return "seed=" + ",".join(seeds[1].split(",")[:2])


def rewrite(command: str, cwd: Path, run_dir: Path) -> str:
    """The documented command with a short budget and the placeholders filled in."""
    command = command.replace("RUN_DIR", str(run_dir))
    command = re.sub(r"(?<=\s)(docs|tests)/", f"{REPO}/\\1/", command)  # repo paths: the test runs elsewhere
    if "multirun/<time>" in command:
        command = command.replace("multirun/<time>", str(max((cwd / "multirun").iterdir())))
    if re.match(r"python -m rlkit(\s|$)", command):
        command = re.sub(r"\bseed=(\d+(?:,\d+)+)", two_seeds, command)
        if "total_steps=" in command:
            command = re.sub(r"total_steps=(\d+)", shorter, command)
        else:
            command += " total_steps=300"
        command += " eval.episodes=2"
    return command


def fill_python(code: str, run_dir: Path) -> str:
    wandb_file = next(run_dir.glob("wandb/offline-run-*/run-*.wandb"))
    code = re.sub(r"runs/[\w.-]+/\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d", str(run_dir), code)
    code = code.replace("runs/<run>", str(run_dir)).replace("wandb/offline-run-.../run-<id>.wandb", str(wandb_file))
    return re.sub(r"total_steps=(\d+)", shorter, code)


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory) -> Path:
    """One short DDPG run for every page's RUN_DIR: checkpoints, metrics, TensorBoard events, an offline wandb run."""
    run_dir = tmp_path_factory.mktemp("docs") / "ddpg-Pendulum-v1-s0"
    proc = subprocess.run([sys.executable, "-m", "rlkit", "agent=ddpg", "env=Pendulum-v1", "total_steps=300",
                           "eval.episodes=2", "logger=[wandb,tensorboard]", f"hydra.run.dir={run_dir}"],
                          capture_output=True, text=True, env=env(), timeout=300)
    assert proc.returncode == 0, proc.stderr
    return run_dir


def test_every_block_follows_the_convention() -> None:
    """Every fence names its language; a shell block not run says why; no command hides in an indented block."""
    problems = []
    for path in pages():
        problems += [f"docs/pages/{path.relative_to(PAGES)}:{n}: indented command; use a fenced sh or text block"
                     for n in indented_commands(path)]
        for block in blocks(path):
            if not block.lang:
                problems.append(f"{block.where}: fence without a language (sh, python, text, ...)")
            if block.not_run and not any(word in block.not_run.lower() for word in ALLOWED_NOT_RUN):
                problems.append(f"{block.where}: not-run reason {block.not_run!r} is none of {ALLOWED_NOT_RUN}")
            if (block.not_run or block.exits_2) and block.lang not in SHELL:
                problems.append(f"{block.where}: a marker only applies to sh blocks")
    assert not problems, "\n".join(problems)


def runnable(path: Path) -> bool:
    return any((b.lang in SHELL and not b.not_run) or b.lang == "python" for b in blocks(path))


@pytest.mark.parametrize("page", [str(p.relative_to(PAGES)) for p in pages() if runnable(p)])
def test_page_snippets_run(page: str, tmp_path: Path, shared_run: Path, request) -> None:
    if page in NEEDS_PLUGIN:
        request.getfixturevalue("example_plugin")
    page_blocks = blocks(PAGES / page)
    for block in (b for b in page_blocks if b.lang in SHELL and not b.not_run):
        for command in commands(block.code):
            line = rewrite(command, tmp_path, shared_run)
            if line.startswith("mkdocs"):
                pytest.importorskip("mkdocs", reason="the [docs] extra is not installed")
            proc = subprocess.run(["bash", "-c", line], cwd=tmp_path, capture_output=True, text=True, env=env(),
                                  timeout=300)
            if block.exits_2:
                assert proc.returncode == 2 and "rlkit: error:" in proc.stderr, \
                    f"{block.where}: {line!r} should fail with exit 2:\n{proc.stdout}\n{proc.stderr}"
            else:
                assert proc.returncode == 0, f"{block.where}: {line!r} failed:\n{proc.stdout}\n{proc.stderr}"
    python = [b for b in page_blocks if b.lang == "python"]
    if python:
        script = tmp_path / "snippets.py"
        script.write_text("\n".join(f"# {b.where}\n{fill_python(b.code, shared_run)}" for b in python))
        proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                              env=env(), timeout=300)
        assert proc.returncode == 0, f"docs/pages/{page} Python snippets failed:\n{proc.stdout}\n{proc.stderr}"
