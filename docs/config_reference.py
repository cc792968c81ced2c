"""The configuration reference, generated from the config schema and conf/ so that it cannot drift.

Sources, nothing written by hand here: ``rlkit.schema.TOP_KEYS`` (top-level keys: accepted values, meaning) and
``AGENT_KEYS`` (agent options by name); each built-in agent's constructor (its options, their types and defaults);
``conf/config.yaml``, ``conf/agent/*.yaml``, ``conf/env/**.yaml``, ``conf/network/*.yaml``, ``conf/logger/*.yaml``
(defaults and their ``# comments``); ``agents_zoo/`` (the presets). docs/hooks.py renders it into the site at build
time; tests/docs/test_config_reference.py fails when a key has no meaning.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rlkit import schema

REPO = Path(__file__).resolve().parents[1]
CONF = REPO / "conf"
ZOO = REPO / "agents_zoo"
KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[\w@./-]+):(?P<value>[^#]*?)\s*(?:#\s?(?P<comment>.*))?$")
COMMENT_LINE = re.compile(r"^(?P<indent> +)#\s?(?P<comment>.*)$")


@dataclass(frozen=True)
class Row:
    """One key of the reference: where it lives, its type or accepted values, its default and its meaning."""

    group: str  # "top", "agent/dqn", "env/CartPole-v1", "logger/wandb", ...
    key: str  # the dotted key as typed on the command line
    accepts: str
    default: Any
    meaning: str


def yaml_comments(path: Path) -> dict[str, str]:
    """Dotted key -> its inline ``# comment`` (with the indented comment lines that continue it)."""
    comments: dict[str, str] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    last = None
    for line in path.read_text().splitlines():
        if (cont := COMMENT_LINE.match(line)) and last is not None:
            comments[last] = (comments.get(last, "") + " " + cont["comment"]).strip()
            continue
        match = KEY_LINE.match(line)
        if not match:
            last = None
            continue
        indent = len(match["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        dotted = ".".join([k for _, k in stack] + [match["key"]])
        stack.append((indent, match["key"]))
        last = dotted if match["comment"] else None
        if match["comment"]:
            comments[dotted] = match["comment"].strip()
    return comments


def header(path: Path) -> str:
    """The file's leading comment block, as one paragraph."""
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        if not line.startswith("# @package"):
            lines.append(line.lstrip("# ").rstrip())
    return " ".join(lines)


def leaves(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested mappings to dotted keys; an empty mapping is a leaf (e.g. ``kwargs: {}``)."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict) and value:
            out.update(leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def fmt(value: Any) -> str:
    if isinstance(value, str) and value.startswith("${hydra:runtime.choices."):
        return f"the `{value[len('${hydra:runtime.choices.'):-1]}=` choice"
    return f"`{schema.format_value(value)}`"


def cell(text: str) -> str:
    return text.replace("|", "\\|")


def group_options(group: str) -> list[str]:
    return sorted(str(p.relative_to(CONF / group).with_suffix("")) for p in (CONF / group).rglob("*.yaml"))


def defaults() -> dict[str, str]:
    """Config group -> its default option, from conf/config.yaml's defaults list."""
    out = {}
    for entry in load(CONF / "config.yaml")["defaults"]:
        if isinstance(entry, dict):
            (key, value), = entry.items()
            out[key.removeprefix("optional ").removeprefix("override ")] = value
    return out


def top_rows() -> list[Row]:
    values = leaves(load(CONF / "config.yaml"))
    values.update(leaves(load(CONF / "network" / "mlp.yaml"), "network."))
    values["logger"] = {}
    return [Row("top", k.path, k.rule.accepts, values.get(k.path), k.doc) for k in schema.TOP_KEYS]


def agent_factory(name: str):
    import rlkit.agents  # noqa: F401 - registers the built-in agents
    from rlkit.agents.base import AGENTS

    return AGENTS.get(name)


def type_name(annotation: Any) -> str:
    if annotation is None:
        return ""
    name = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
    return name.replace(" | ", " or ")  # a "|" would split the table cell


def agent_rows(name: str) -> list[Row]:
    """One row per constructor option of agent ``name``: type, conf/agent default, accepted values, meaning."""
    factory = agent_factory(name)
    target = factory.__init__ if inspect.isclass(factory) else factory
    signature = inspect.signature(target).parameters
    path = CONF / "agent" / f"{name}.yaml"
    values, comments = load(path), yaml_comments(path)
    rows = []
    for option, annotation in (schema.agent_parameters(factory) or {}).items():
        known = schema.AGENT_KEYS.get(option)
        accepts = ": ".join(filter(None, [f"`{type_name(annotation)}`" if annotation else "",
                                          known.rule.accepts if known else ""]))
        comment = comments.get(option)  # the conf file's comment adds detail to the schema's meaning
        meaning = " — ".join(filter(None, [known.doc if known else "", f"*{comment}*" if comment else ""]))
        default = values[option] if option in values else signature[option].default
        rows.append(Row(f"agent/{name}", f"agent.{option}", accepts, default, meaning))
    return rows


def file_rows(group: str, option: str, prefix: str) -> list[Row]:
    """The keys one conf/<group>/<option>.yaml sets, with its comments, else the schema's meaning of the key."""
    path = CONF / group / f"{option}.yaml"
    docs = {k.path: k for k in schema.TOP_KEYS}
    comments = yaml_comments(path)
    rows = []
    for key, value in leaves(load(path)).items():
        full = prefix + key
        top = docs.get(full)
        meaning = comments.get(key) or (top.doc if top else "")
        rows.append(Row(f"{group}/{option}", full, top.rule.accepts if top else type(value).__name__, value, meaning))
    return rows


def all_rows() -> list[Row]:
    rows = top_rows()
    for name in group_options("agent"):
        rows += agent_rows(name)
    for option in group_options("env"):
        rows += file_rows("env", option, "env.")
    for option in group_options("logger"):
        rows += file_rows("logger", option, "logger.")
    return rows


def table(rows: list[Row], with_accepts: bool = True) -> str:
    head = "| key | default | accepts | meaning |\n|---|---|---|---|\n" if with_accepts else \
        "| key | default | meaning |\n|---|---|---|\n"
    body = "".join(
        f"| `{r.key}` | {cell(fmt(r.default))} | {cell(r.accepts)} | {cell(r.meaning)} |\n" if with_accepts else
        f"| `{r.key}` | {cell(fmt(r.default))} | {cell(r.meaning)} |\n" for r in rows)
    return head + body


def agent_table(name: str) -> str:
    return table(agent_rows(name))


def presets(agent: str) -> list[str]:
    return sorted(str(p.relative_to(ZOO / agent).with_suffix("")) for p in (ZOO / agent).rglob("*.yaml")
                  if "search" not in p.relative_to(ZOO / agent).parts)


def reference() -> str:
    """The whole configuration reference page, as Markdown."""
    chosen = defaults()
    out = ["# Configuration reference\n\n",
           "Generated when the site is built from `rlkit/schema.py` (every key's accepted values and meaning), the "
           "agents' constructors and the files in `conf/` (defaults and their comments), so it cannot drift from "
           "the code ([how](contributing.md#the-configuration-reference)). Change any key on the command line as "
           "`key=value` ([configuration](configuration.md)).\n\n",
           "## Config groups\n\n| group | options | default |\n|---|---|---|\n"]
    for group in ("agent", "env", "network", "logger"):
        options = ", ".join(f"`{o}`" for o in group_options(group))
        out.append(f"| `{group}` | {options} | `{chosen.get(group, '')}` |\n")
    out.append("\nTuned presets, applied when their agent and env are chosen together "
               "(`agents_zoo/<agent>/<env>.yaml`):\n\n| agent | presets |\n|---|---|\n")
    for agent in group_options("agent"):
        out.append(f"| `{agent}` | {', '.join(f'`{p}`' for p in presets(agent)) or '—'} |\n")
    out.append("\n## Top-level keys\n\n`conf/config.yaml` and `conf/network/mlp.yaml`; checked by "
               "`rlkit.schema.TOP_KEYS` before any work.\n\n" + table(top_rows()))
    out.append("\n## Agent options\n\nEach agent's constructor keyword arguments; defaults from "
               "`conf/agent/<agent>.yaml`, accepted values from `rlkit.schema.AGENT_KEYS` and the annotation.\n")
    for name in group_options("agent"):
        out.append(f"\n### `agent={name}`\n\n{header(CONF / 'agent' / f'{name}.yaml')}\n\n{agent_table(name)}")
    out.append("\n## Environments\n\nAny gymnasium id works without a file; these files add defaults for their id "
               "(`env.kwargs.<arg>` are the env's constructor arguments).\n")
    for option in group_options("env"):
        out.append(f"\n### `env={option}`\n\n{header(CONF / 'env' / f'{option}.yaml')}\n\n"
                   + table(file_rows("env", option, "env."), with_accepts=False))
    out.append("\n## Loggers\n\nConsole and `metrics.csv` always run; each option adds one backend "
               "(`'logger=[wandb,tensorboard]'` for both).\n")
    for option in group_options("logger"):
        rows = file_rows("logger", option, "logger.")
        body = table(rows, with_accepts=False) if rows else "No keys: console and `metrics.csv` only.\n"
        out.append(f"\n### `logger={option}`\n\n{header(CONF / 'logger' / f'{option}.yaml')}\n\n{body}")
    return "".join(out)


if __name__ == "__main__":
    print(reference())
