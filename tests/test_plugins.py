"""Plugins end to end: the example plugin package is pip-installed (offline) and trained on through the CLI
via its entry point and via ``module:EnvId``, and from Python via ``rlkit.register_env``; bad plugins and bad
envs each give one error line."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gymnasium as gym
import pytest
from hydra import compose, initialize_config_module
from hydra.core.global_hydra import GlobalHydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import open_dict

from rlkit.config import register_resolvers, to_plain

try:
    import tomllib
except ImportError:  # Python 3.10: no TOML reader, so the plugin is simply reinstalled
    tomllib = None

PLUGIN = Path(__file__).resolve().parent / "fixtures" / "rlkit_example_plugin"
DIST = "rlkit-example-plugin"
SHORT = ("total_steps=300", "eval.every=300", "eval.episodes=1", "checkpoint.every=300", "log_every=100")
DDPG = ("agent=ddpg", "agent.learning_starts=100")


def installed_plugin_is_current() -> bool:
    """The installed distribution has this fixture's entry points and the same source files."""
    try:
        dist = importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:
        return False
    if tomllib is None:
        return False
    declared = tomllib.loads((PLUGIN / "pyproject.toml").read_text())["project"]["entry-points"]
    wanted = {(group, name, value) for group, eps in declared.items() for name, value in eps.items()}
    if {(ep.group, ep.name, ep.value) for ep in dist.entry_points} != wanted:
        return False
    for source in (PLUGIN / "src").rglob("*.py"):
        installed = Path(dist.locate_file(source.relative_to(PLUGIN / "src")))
        if not installed.is_file() or installed.read_bytes() != source.read_bytes():
            return False
    return True


@pytest.fixture(scope="session")
def example_plugin(tmp_path_factory) -> str:
    """pip-install tests/fixtures/rlkit_example_plugin (offline, from a copy so no build files land in the
    repo) unless the installed one is already current."""
    if not installed_plugin_is_current():
        copy = tmp_path_factory.mktemp("plugin") / "rlkit_example_plugin"
        shutil.copytree(PLUGIN, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
        if importlib.util.find_spec("setuptools") is not None:  # build with it: no network needed
            pip += ["--no-build-isolation", "--no-index"]
        proc = subprocess.run([*pip, str(copy)], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        importlib.invalidate_caches()
    if tomllib is not None:
        assert installed_plugin_is_current()
    return DIST


@pytest.fixture(scope="session")
def broken_plugins(tmp_path_factory) -> Path:
    """A folder for PYTHONPATH holding a distribution whose rlkit.envs and rlkit.agents entry points fail to
    import, and a module that registers an env that fails gymnasium's env checker."""
    root = tmp_path_factory.mktemp("broken")
    info = root / "rlkit_broken_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rlkit-broken-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[rlkit.envs]\nbroken = rlkit_broken_plugin:register_envs\n\n"
                                           "[rlkit.agents]\nbroken-agent = rlkit_broken_plugin:Agent\n")
    (root / "rlkit_broken_plugin.py").write_text("import a_dependency_that_is_not_installed  # noqa\n")
    (root / "rlkit_unseeded_env.py").write_text(
        "import gymnasium as gym\nimport numpy as np\n\n\n"
        "class Unseeded(gym.Env):\n"
        "    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), dtype=np.float32)\n"
        "    action_space = gym.spaces.Box(-1.0, 1.0, (1,), dtype=np.float32)\n\n"
        "    def reset(self, *, seed=None, options=None):  # ignores its seed: fails the checker\n"
        "        super().reset(seed=seed)\n"
        "        return np.random.default_rng().uniform(-1, 1, 1).astype(np.float32), {}\n\n"
        "    def step(self, action):\n"
        "        return np.zeros(1, dtype=np.float32), 0.0, False, False, {}\n\n\n"
        "gym.register('Unseeded-v0', entry_point=Unseeded, max_episode_steps=50)\n")
    return root


def run_rlkit(run_dir: Path, *overrides: str, pythonpath: Path | None = None,
              no_wandb_login: bool = False) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if no_wandb_login:
        env = {k: v for k, v in env.items() if not k.startswith("WANDB_")}
        env["NETRC"] = str(run_dir.parent / "no-netrc")
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "rlkit", *overrides, f"hydra.run.dir={run_dir}"],
                          capture_output=True, text=True, timeout=600, cwd=run_dir.parent, env=env)


def summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


# --- the three ways in -------------------------------------------------------------------------------------
def test_entry_points_provide_env_and_agent(example_plugin, tmp_path):
    """Neither rlkit nor the command line imports the plugin: both names come from its entry points."""
    proc = run_rlkit(tmp_path / "run", "agent=example-random", "env=ReachTargetDiscrete-v0", "env.check=true",
                     "++env.kwargs.step_size=0.25", *SHORT)
    assert proc.returncode == 0, proc.stderr
    result = summary(tmp_path / "run")
    assert (result["agent"], result["env"]) == ("example-random", "ReachTargetDiscrete-v0")
    assert result["env_steps"] == 300
    assert "step_size: 0.25" in (tmp_path / "run" / ".hydra" / "config.yaml").read_text()


def test_module_colon_id_env_trains(example_plugin, tmp_path):
    proc = run_rlkit(tmp_path / "run", *DDPG, "env=rlkit_example_plugin:ReachTarget-v0", *SHORT)
    assert proc.returncode == 0, proc.stderr
    assert summary(tmp_path / "run")["env"] == "rlkit_example_plugin:ReachTarget-v0"
    assert summary(tmp_path / "run")["episodes"] > 0


def test_dqn_on_acrobot(tmp_path):
    proc = run_rlkit(tmp_path / "run", "agent=dqn", "env=Acrobot-v1", *SHORT)
    assert proc.returncode == 0, proc.stderr
    assert summary(tmp_path / "run")["agent"] == "dqn"
    assert summary(tmp_path / "run")["env_steps"] == 300


def composed(*overrides: str) -> dict:
    register_resolvers()
    GlobalHydra.instance().clear()
    with initialize_config_module(config_module="rlkit.conf", version_base=None):
        cfg = compose("config", overrides=list(overrides), return_hydra_config=True)
        HydraConfig.instance().set_config(cfg)
        with open_dict(cfg):
            cfg.pop("hydra")
        return to_plain(cfg)


def test_register_env_and_register_agent_from_python(example_plugin, tmp_path):
    from rlkit_example_plugin.agent import RandomAgent

    import rlkit
    from rlkit.run import train

    entry_point = "rlkit_example_plugin.reach:ReachTargetEnv"
    rlkit.register_env("PyReachDiscrete-v0", entry_point, max_episode_steps=20, kwargs={"discrete": True})
    rlkit.register_env("PyReachDiscrete-v0", entry_point, max_episode_steps=20)  # again: a no-op
    rlkit.register_agent("py-random")(RandomAgent)
    cfg = composed("agent=py-random", "env=PyReachDiscrete-v0", *SHORT)
    (tmp_path / "run").mkdir()
    result = train(cfg, tmp_path / "run")
    assert result["env"] == "PyReachDiscrete-v0" and result["agent"] == "py-random"
    assert result["env_steps"] == 300
    assert gym.spec("PyReachDiscrete-v0").max_episode_steps == 20


# --- bad input: one line on stderr, non-zero exit, no traceback ---------------------------------------------
# name → (overrides, expected message). Names starting with "broken" run with the broken plugins on
# PYTHONPATH, those starting with "wandb" without any W&B login.
BAD = {
    "typo-suggests-plugin-id": ((*DDPG, "env=ReachTargt-v0"), "closest registered ids: ReachTarget-v0"),
    "broken-env-plugin": (
        ("env=NotProvidedByAnyone-v0",),
        "env plugin 'broken' (rlkit_broken_plugin:register_envs, package rlkit-broken-plugin) failed to "
        "import: ModuleNotFoundError: No module named 'a_dependency_that_is_not_installed'"),
    "broken-agent-plugin": (
        ("agent=not-an-agent",),
        "agent plugin 'broken-agent' (rlkit_broken_plugin:Agent) failed to import: ModuleNotFoundError"),
    "module-fails-to-import": (("env=no_such_module_here:Env-v0",),
                               "module 'no_such_module_here' failed to import: ModuleNotFoundError"),
    "spaces-refused": ((*DDPG, "env=ReachTargetDiscrete-v0"), "ddpg drives continuous Box action spaces"),
    "unknown-kwarg": (("env=Pendulum-v1", "++env.kwargs.gravity=3.0"),
                      "unexpected keyword argument 'gravity'"),
    "broken-env-fails-check": (("env=rlkit_unseeded_env:Unseeded-v0", "env.check=true"),
                        "env 'Unseeded-v0' failed gymnasium's env checker: AssertionError"),
    "wandb-online-without-login": (("logger=wandb", "logger.wandb.mode=online"),
                                   "logger.wandb.mode=online but no W&B login was found"),
}


@pytest.fixture(scope="module")
def bad_runs(example_plugin, broken_plugins, tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    """All bad-input runs, two at a time (each is mostly interpreter start-up)."""
    root = tmp_path_factory.mktemp("bad")

    def one(name: str) -> subprocess.CompletedProcess:
        return run_rlkit(root / name, *BAD[name][0], *SHORT,
                         pythonpath=broken_plugins if name.startswith("broken") else None,
                         no_wandb_login=name.startswith("wandb"))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(BAD, pool.map(one, BAD), strict=True))


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_line_and_non_zero(bad_runs, name):
    proc, message = bad_runs[name], BAD[name][1]
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert proc.stderr.startswith("rlkit: error: ")
    assert message in proc.stderr, proc.stderr
