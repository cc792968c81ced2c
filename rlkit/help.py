"""``python -m rlkit --help``: rlkit's own help, built from the config folders alone (no torch, no Hydra), so it
is fast. Hydra's help stays one flag away: ``--hydra-help``."""

from __future__ import annotations

import textwrap
from importlib.metadata import entry_points
from pathlib import Path


def conf_dir() -> Path:
    import rlkit.conf

    return Path(rlkit.conf.__file__).resolve().parent


def zoo_dir() -> Path:
    import rlkit.agents_zoo

    return Path(rlkit.agents_zoo.__file__).resolve().parent


def options(folder: Path) -> list[str]:
    """Config group options: ``<name>.yaml`` files, nested ones as ``Namespace/Name``."""
    return sorted(str(p.relative_to(folder).with_suffix("")) for p in folder.rglob("*.yaml"))


def presets(zoo: Path) -> dict[str, list[str]]:
    """agent → its presets: env ids (agents_zoo/<agent>/<env>.yaml), ``Namespace/*`` for a family preset, and the
    named variants after their env (``CartPole-v1 (preset=q)``); search/ holds sweeps (rlkit/presets.py)."""
    from rlkit.presets import all_presets

    found: dict[str, list[str]] = {}
    for agent, env, variant in all_presets(zoo):
        found.setdefault(agent, []).append(env if variant == "default" else f"{env} (preset={variant})")
    return found


def listing(names: list[str], indent: int = 13) -> str:
    return textwrap.fill(", ".join(names), width=116, subsequent_indent=" " * indent, break_on_hyphens=False)


def text() -> str:
    conf, zoo = conf_dir(), zoo_dir()
    plugin_agents = sorted(ep.name for ep in entry_points(group="rlkit.agents"))
    plugin_envs = sorted(ep.name for ep in entry_points(group="rlkit.envs"))
    agents = options(conf / "agent") + [f"{name} (plugin)" for name in plugin_agents]
    zoo_presets = presets(zoo)
    preset_lines = "\n".join(f"    {agent:<10} {listing(envs, 15)}" for agent, envs in zoo_presets.items() if envs)
    envs = options(conf / "env") + [f"{name} (plugin)" for name in plugin_envs]
    return f"""usage: python -m rlkit [agent=NAME] [env=ID] [key=value ...] [-m key=a,b,...]

Train a reinforcement-learning agent on a gymnasium env. Every setting is a key=value override of the
configuration (Hydra); a bad one is refused in one line before any work starts.

config groups and their options:
  agent=     {listing(agents)}
  env=       {listing(envs)}
             (or any gymnasium id, e.g. env=Acrobot-v1, or module:EnvId)
  logger=    {', '.join(options(conf / 'logger'))}   (several: 'logger=[wandb,tensorboard]')
  network=   {', '.join(options(conf / 'network'))}
  presets    tuned settings picked up automatically for agent + env (agents_zoo/):
{preset_lines}

keys you will often set: seed, total_steps, num_envs, device, threads, eval.every, checkpoint.every,
  resume=true|auto|RUN_DIR, overwrite=true, hydra.run.dir=DIR, agent.<option> (e.g. agent.gamma=0.98)
  list every key and its value for a command with: python -m rlkit agent=dqn --cfg job

examples:
  python -m rlkit agent=dqn env=CartPole-v1
  python -m rlkit agent=ddpg env=Pendulum-v1 seed=1 total_steps=50000
  python -m rlkit agent=dqn env=CartPole-v1 hydra.run.dir=runs/mine resume=true
  python -m rlkit -m agent=dqn env=CartPole-v1 seed=0,1,2 resume=auto
  python -m rlkit.evaluate runs/<run dir> --episodes 20

docs: docs/pages/ in the repository (quickstart.md, configuration.md for every key, resuming.md);
  the site: mkdocs serve -f docs/mkdocs.yml
Hydra's own help (sweeps, --cfg, --multirun, launchers): python -m rlkit --hydra-help
"""
