"""The configuration reference (docs/config_reference.py) covers every key, and every key has a meaning."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def ref():
    spec = importlib.util.spec_from_file_location("config_reference", DOCS / "config_reference.py")
    module = sys.modules["config_reference"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_key_has_a_meaning(ref) -> None:
    missing = [f"{row.group}: {row.key}" for row in ref.all_rows() if not row.meaning.strip()]
    assert not missing, "keys without a description (add one to rlkit/schema.py or a # comment in conf/): " + \
        ", ".join(missing)


def test_every_conf_key_and_agent_option_is_listed(ref) -> None:
    rows = {(row.group, row.key) for row in ref.all_rows()}
    keys = {key for _, key in rows}
    config = ref.leaves({k: v for k, v in ref.load(ref.CONF / "config.yaml").items()
                         if k not in ("defaults", "hydra")})
    assert set(config) <= keys, set(config) - keys
    for option in ref.leaves(ref.load(ref.CONF / "network" / "mlp.yaml")):
        assert f"network.{option}" in keys
    for name in ref.group_options("agent"):
        factory = ref.agent_factory(name)
        target = factory.__init__ if inspect.isclass(factory) else factory
        options = set(inspect.signature(target).parameters) - {"self", "observation_space", "action_space",
                                                                 "device", "network"}
        assert {(f"agent/{name}", f"agent.{o}") for o in options} <= rows, name
        for option in set(ref.load(ref.CONF / "agent" / f"{name}.yaml")) - {"defaults"}:  # a conf default the
            # constructor lacks (``defaults`` is Hydra's list: conf/agent/td3.yaml picks its network there)
            assert (f"agent/{name}", f"agent.{option}") in rows, f"conf/agent/{name}.yaml: {option}"
    for group in ("env", "logger"):
        for option in ref.group_options(group):
            for key in ref.leaves(ref.load(ref.CONF / group / f"{option}.yaml")):
                assert (f"{group}/{option}", f"{group}.{key}") in rows


def test_reference_page_has_every_group_and_agent(ref) -> None:
    page = ref.reference()
    for name in ref.group_options("agent"):
        assert f"### `agent={name}`" in page
    for option in ref.group_options("env"):
        assert f"### `env={option}`" in page
    assert page.count("|") > 500 and "`agent.gamma`" in page


def test_yaml_comments_follow_nesting_and_continuation_lines(ref, tmp_path) -> None:
    conf = tmp_path / "c.yaml"
    conf.write_text("# header\nthreads: 1   # one\n             # two\neval:\n  every: 5  # steps\n"
                    "  episodes: 10\nnext: x\n")
    assert ref.yaml_comments(conf) == {"threads": "one two", "eval.every": "steps"}
