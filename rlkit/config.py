"""Turning the composed Hydra config into plain values: resolvers and the checks done before any work starts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf


def slug(text: str) -> str:
    """A string safe as one path component: ``ALE/Pong-v5`` → ``ALE_Pong-v5``, ``pkg:Env-v0`` → ``pkg_Env-v0``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(text))


def zoo_searchpath() -> str:
    """The folder that holds ``agents_zoo/``, as a Hydra search path.

    ``pkg://rlkit`` would do for a wheel, but an editable install maps ``rlkit.agents_zoo`` onto the repo's
    top-level folder, which importlib.resources cannot see under ``rlkit/``; the module's own path works in both.
    """
    import rlkit.agents_zoo

    return "file://" + str(Path(rlkit.agents_zoo.__file__).resolve().parent.parent)


# Config groups of the command line: each takes an option name (logger= also a list of them).
GROUPS = ("agent", "env", "network", "logger", "preset")
MULTIRUN_FLAGS = ("-m", "--multirun")
_OPTION = r"(?!(?:true|false|null|nan|inf)$)[^\W\d][\w.:/-]*"


def check_groups(argv: list[str]) -> None:
    """A config group given a number, null, a mapping or (but logger=) a list is one line naming it, before Hydra
    turns it into an error that names no override. With ``-m``/``--multirun`` a comma list of option names
    (``env=MinAtar/Asterix-v1,MinAtar/Seaquest-v1``) and Hydra's ``choice(...)``/``glob(...)`` are sweeps."""
    from rlkit.errors import ConfigError

    multirun = any(arg in MULTIRUN_FLAGS for arg in argv)
    for arg in argv:
        key, eq, value = arg.lstrip("+").partition("=")
        if not eq or key not in GROUPS:
            continue
        bare = value[1:-1] if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"" else value
        options = rf"\[\s*(?:{_OPTION}(?:\s*,\s*{_OPTION})*)?\s*\]" if key == "logger" else r"(?!)"
        if re.fullmatch(_OPTION, bare, re.IGNORECASE) or re.fullmatch(options, value, re.IGNORECASE):
            continue
        sweep = re.fullmatch(rf"{_OPTION}(?:\s*,\s*{_OPTION})+", bare, re.IGNORECASE)
        if multirun and (sweep or re.fullmatch(r"(?:glob|choice)\(.*\)", bare)):
            continue
        if sweep:
            raise ConfigError(f"{arg}: a list of {key} options sweeps them only in a multirun: python -m rlkit -m "
                              f"{arg} ...")
        example = {"agent": "agent=dqn", "env": "env=CartPole-v1", "network": "network=mlp",
                   "logger": "logger=tensorboard or logger=[wandb,tensorboard]",
                   "preset": "preset=q or preset=none"}[key]
        raise ConfigError(f"{arg}: {key} is a config group and takes an option name, e.g. {example}; "
                          "python -m rlkit --help lists them")


def known_env_ids() -> list[str]:
    """The env ids rlkit has a file for: ``conf/env/**.yaml`` and the per-id presets of agents_zoo/, sorted."""
    from rlkit import presets
    from rlkit.help import conf_dir, options

    ids = set(options(conf_dir() / "env"))
    ids |= {env for _, env, variant in presets.all_presets() if variant == presets.DEFAULT and "*" not in env}
    return sorted(ids)


def expand_env_globs(argv: list[str]) -> list[str]:
    """``env=glob(MinAtar/*)`` in a multirun as the comma list of the known env ids it matches (Hydra's own glob
    sees only conf/env's top level, so it matched no namespaced id and launched nothing); a glob that matches
    none is one line listing what it can match. Any other argument is returned as it is."""
    if not any(arg in MULTIRUN_FLAGS for arg in argv):
        return argv
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import Glob

    from rlkit.errors import ConfigError

    out = []
    for arg in argv:
        key, eq, value = arg.partition("=")
        if key.lstrip("+~") == "env" and eq and re.fullmatch(r"\s*glob\(.*\)\s*", value):
            glob = OverridesParser.create().parse_override(arg).value()
            assert isinstance(glob, Glob)
            known = known_env_ids()
            matched = glob.filter(known)
            if not matched:
                raise ConfigError(f"{arg}: matches no env id rlkit has a conf/env file or a preset for: "
                                  f"{', '.join(known)}; name any other gymnasium id in a comma list")
            arg = f"{key}={','.join(matched)}"
        out.append(arg)
    return out


AUTO = "auto"  # resume=auto: continue the run dir's run if it has a checkpoint, else start it (rlkit/resume.py)


def run_dir_for(resume: Any, default: str) -> str:
    """``hydra.run.dir``: the run dir named by ``resume=<run dir>``, else the default pattern."""
    return resume if isinstance(resume, str) and resume and resume != AUTO else default


def register_resolvers() -> None:
    """Resolvers the config files use; registered before Hydra composes anything."""
    if not OmegaConf.has_resolver("slug"):
        OmegaConf.register_new_resolver("slug", slug)
    if not OmegaConf.has_resolver("rlkit_run_dir"):
        OmegaConf.register_new_resolver("rlkit_run_dir", run_dir_for)
    if not OmegaConf.has_resolver("rlkit_zoo_searchpath"):
        OmegaConf.register_new_resolver("rlkit_zoo_searchpath", zoo_searchpath)
    from rlkit import presets

    if not OmegaConf.has_resolver("rlkit_preset"):  # the defaults list's zoo option (rlkit/presets.py)
        OmegaConf.register_new_resolver("rlkit_preset", presets.defaults_option)
    if not OmegaConf.has_resolver("rlkit_preset_file"):
        OmegaConf.register_new_resolver("rlkit_preset_file", presets.preset_file)


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    return OmegaConf.to_container(cfg, resolve=True)  # type: ignore[return-value]
