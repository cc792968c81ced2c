"""Which tuned preset of agents_zoo/ a run gets: the default one, a named variant (``preset=NAME``) or none.

The layout (agents_zoo/README.md), for agent ``A`` and env id ``E`` with namespace ``N`` (``N/Game-v1``):

    agents_zoo/A/E.yaml               the preset of (A, E), applied by default
    agents_zoo/A/E/NAME.yaml          its named variant NAME (preset=NAME), beside it
    agents_zoo/A/N/_family.yaml       the family preset: every env N/* without a file of its own
    agents_zoo/A/N/_family/NAME.yaml  the family's variant NAME

Exactly one file applies, the most specific: the per-id preset if ``E.yaml`` exists (its variants are then the
only ones of the pair), else the family's. ``preset=none`` applies none. No torch, no Hydra: ``--help`` and
``rlkit.bench zoo`` use it too.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT = "default"  # preset=default (the default): the pair's preset file
NONE = "none"        # preset=none: no preset at all
FAMILY = "_family"   # agents_zoo/<agent>/<namespace>/_family.yaml
MISSING = "_none_"   # the defaults-list option when nothing applies: no such file, so Hydra's `optional` skips it
SEARCH = "search"    # agents_zoo/<agent>/search/ holds search spaces, not presets


def zoo_dir() -> Path:
    import rlkit.agents_zoo

    return Path(rlkit.agents_zoo.__file__).resolve().parent


def base(agent: str, env: str, zoo: Path | None = None) -> str | None:
    """The preset that applies to (agent, env) by default, relative to agents_zoo/ without ``.yaml``
    (``dqn/MinAtar/Breakout-v1``, ``dqn/MinAtar/_family``); None when the pair has none."""
    zoo = zoo or zoo_dir()
    own = f"{agent}/{env}"
    if (zoo / f"{own}.yaml").is_file():
        return own
    namespace, slash, _ = env.rpartition("/")
    if slash and (zoo / agent / namespace / f"{FAMILY}.yaml").is_file():
        return f"{agent}/{namespace}/{FAMILY}"
    return None


def variants(agent: str, env: str, zoo: Path | None = None) -> list[str]:
    """The named variants of the preset that applies to (agent, env), sorted."""
    zoo = zoo or zoo_dir()
    found = base(agent, env, zoo)
    if found is None or not (zoo / found).is_dir():
        return []
    return sorted(p.stem for p in (zoo / found).glob("*.yaml") if p.stem not in (DEFAULT, NONE))


def option(agent: str, env: str, preset: str, zoo: Path | None = None) -> str | None:
    """The agents_zoo option (relative path without ``.yaml``) that ``preset`` selects for (agent, env); None
    for preset=none, a pair without a preset, or an unknown variant name (``check`` says which)."""
    zoo = zoo or zoo_dir()
    if preset == NONE:
        return None
    found = base(agent, env, zoo)
    if found is None or preset == DEFAULT:
        return found
    return f"{found}/{preset}" if (zoo / found / f"{preset}.yaml").is_file() else None


def defaults_option(agent: str, env: str, preset: str) -> str:
    """conf/config.yaml's ``optional /agents_zoo@_global_`` entry: the option, or one that does not exist."""
    return option(str(agent), str(env), str(preset)) or MISSING


def preset_file(agent: str, env: str, preset: str) -> str | None:
    """What ``.hydra/config.yaml`` records as ``preset_file``: ``agents_zoo/<option>.yaml`` or null."""
    found = option(str(agent), str(env), str(preset))
    return None if found is None else f"agents_zoo/{found}.yaml"


def check(agent: str, env: str, preset: str, applied: str | None) -> str | None:
    """None when ``preset`` is fine, else what is accepted (for the one error line); ``applied`` is the config's
    ``preset_file``, what the defaults list found."""
    if preset in (DEFAULT, NONE) or applied is not None:
        return None
    found, where = variants(agent, env), base(agent, env)
    names = ", ".join([DEFAULT, NONE, *found])
    return (f"no such variant of the {agent} preset for {env} "
            f"({f'agents_zoo/{where}.yaml' if where else 'it has no preset'}); available: {names}")


def describe(preset: str, applied: str | None) -> str:
    """The run's first console line's account of its preset (``applied``: the config's ``preset_file``)."""
    if applied is None:
        return "no preset" + (" (preset=none)" if preset == NONE else "")
    what = "family preset" if f"/{FAMILY}" in applied else "preset"
    return f"{what} {applied}" + ("" if preset == DEFAULT else f" (variant {preset})")


def all_presets(zoo: Path | None = None) -> list[tuple[str, str, str]]:
    """(agent, env id or ``<namespace>/*`` for a family, variant or ``default``) of every preset file, sorted;
    search spaces are not presets."""
    zoo = zoo or zoo_dir()
    found = []
    for path in zoo.glob("*/**/*.yaml"):
        agent, *parts = path.relative_to(zoo).with_suffix("").parts
        if not parts or parts[0] == SEARCH:
            continue
        if len(parts) > 1 and (zoo / agent / Path(*parts[:-1])).with_suffix(".yaml").is_file():
            name, variant = "/".join(parts[:-1]), parts[-1]  # E/NAME.yaml beside E.yaml: a variant of E
        else:
            name, variant = "/".join(parts), DEFAULT
        if name.split("/")[-1] == FAMILY:
            name = "/".join(name.split("/")[:-1] + ["*"])
        found.append((agent, name, variant))
    return sorted(found)
