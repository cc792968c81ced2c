"""wandb and TensorBoard end to end: one CLI run (a one-job Hydra sweep) with
``'logger=[wandb,tensorboard]'``, no W&B login and no network; both records are read back offline and checked
against summary.json."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from tests.loggers.wandb_records import read_records

FAMILIES = ("charts/episodic_return", "charts/sps", "losses/critic_loss", "eval/return_mean")


def offline_env(root: Path) -> dict[str, str]:
    """No WANDB_* from the caller (WANDB_MODE and WANDB_API_KEY included), no netrc, wandb's folders in tmp,
    and a dead proxy so that any stray request fails instead of leaving the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    for name in ("DIR", "CACHE_DIR", "CONFIG_DIR", "DATA_DIR"):
        env[f"WANDB_{name}"] = str(root / name.lower())
    env.update(NETRC=str(root / "no-netrc"), HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
               NO_PROXY="")
    return env


@pytest.fixture(scope="module")
def tracked_run(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("tracking")
    sweep = root / "sweep-2026-01-01"
    overrides = ["agent=ddpg", "env=Pendulum-v1", "logger=[wandb,tensorboard]", "total_steps=400",
                 "agent.learning_starts=100", "log_every=200", "eval.every=400", "eval.episodes=1",
                 "checkpoint.every=400", f"hydra.sweep.dir={sweep}", "hydra.sweep.subdir=job"]
    proc = subprocess.run([sys.executable, "-m", "rlkit", "-m", *overrides], capture_output=True, text=True,
                          timeout=600, cwd=root, env=offline_env(root))
    return root, sweep / "job", proc


@pytest.fixture(scope="module")
def wandb_run(tracked_run) -> tuple[Path, list]:
    root, _, proc = tracked_run
    assert proc.returncode == 0, proc.stderr
    runs = sorted((root / "dir" / "wandb").glob("offline-run-*"))
    assert len(runs) == 1, "no login present: the run must have been written offline"
    (datastore,) = runs[0].glob("run-*.wandb")
    return runs[0], read_records(datastore)


def history(records) -> list[dict]:
    """One dict per logged row; an item's ``nested_key`` is a path into it (an image is a dict of fields)."""
    rows = []
    for record in records:
        if record.WhichOneof("record_type") != "history":
            continue
        row: dict = {}
        for item in record.history.item:
            *parents, leaf = [item.key] if item.key else list(item.nested_key)
            node = row
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = json.loads(item.value_json)
        rows.append(row)
    return rows


def test_wandb_run_is_named_grouped_and_holds_the_config(wandb_run, tracked_run):
    _, records = wandb_run
    (run,) = [r.run for r in records if r.WhichOneof("record_type") == "run"]
    assert run.display_name == "ddpg-Pendulum-v1-s0"
    assert run.run_group == "sweep-2026-01-01"  # the sweep dir's name
    assert run.project == "rlkit"
    config = {u.key: json.loads(u.value_json) for u in run.config.update}
    config.update({u.key: json.loads(u.value_json) for r in records if r.WhichOneof("record_type") == "config"
                   for u in r.config.update})
    assert config["agent"]["name"] == "ddpg" and config["agent"]["learning_starts"] == 100
    assert config["env"]["id"] == "Pendulum-v1" and config["total_steps"] == 400
    assert config["logger"]["wandb"]["mode"] == "auto"


def test_wandb_metrics_are_namespaced_against_env_step(wandb_run, tracked_run):
    run_dir, records = wandb_run
    rows = history(records)
    assert all("env_step" in row for row in rows)
    logged = {key for row in rows for key in row}
    assert set(FAMILIES) <= logged
    assert [row["env_step"] for row in rows if "charts/episodic_return" in row] == [200, 400]
    summary = json.loads((tracked_run[1] / "summary.json").read_text())
    (eval_row,) = [row for row in rows if "eval/return_mean" in row]
    assert eval_row["eval/return_mean"] == pytest.approx(summary["eval_return_mean"])
    metrics = [r.metric for r in records if r.WhichOneof("record_type") == "metric"]
    assert any(m.glob_name == "*" and m.step_metric == "env_step" for m in metrics)
    (image,) = [row["charts/learning_curve"] for row in rows if "charts/learning_curve" in row]
    assert image["_type"] == "image-file"
    assert (run_dir / "files" / image["path"]).is_file()


def test_tensorboard_has_scalars_image_and_config(tracked_run):
    _, run_dir, proc = tracked_run
    assert proc.returncode == 0, proc.stderr
    keep_all = {"scalars": 0, "images": 0, "tensors": 0}
    events = EventAccumulator(str(run_dir / "tensorboard"), size_guidance=keep_all)
    events.Reload()
    tags = events.Tags()
    assert set(FAMILIES) <= set(tags["scalars"])
    assert [e.step for e in events.Scalars("charts/episodic_return")] == [200, 400]
    summary = json.loads((run_dir / "summary.json").read_text())
    (eval_event,) = events.Scalars("eval/return_mean")
    assert eval_event.value == pytest.approx(summary["eval_return_mean"], rel=1e-5)
    (image,) = events.Images("charts/learning_curve")
    assert image.step == 400 and image.encoded_image_string.startswith(b"\x89PNG")
    (text,) = events.Tensors("config/text_summary")
    config_text = text.tensor_proto.string_val[0].decode()
    assert "id: Pendulum-v1" in config_text and "total_steps: 400" in config_text


def test_resumed_run_continues_the_same_wandb_run(tmp_path):
    overrides = ["agent=ddpg", "env=Pendulum-v1", "logger=wandb", "agent.learning_starts=100", "eval.every=200",
                 "eval.episodes=1", "checkpoint.every=200", f"hydra.run.dir={tmp_path / 'run'}"]
    env = offline_env(tmp_path)
    for extra in (["total_steps=200"], ["total_steps=400", "resume=true"]):
        proc = subprocess.run([sys.executable, "-m", "rlkit", *overrides, *extra], capture_output=True, text=True,
                              timeout=600, cwd=tmp_path, env=env)
        assert proc.returncode == 0, proc.stderr
    run_id = (tmp_path / "run" / "wandb_run_id.txt").read_text().strip()
    runs = sorted((tmp_path / "dir" / "wandb").glob("offline-run-*"))
    assert len(runs) == 2 and all(r.name.endswith(run_id) for r in runs)  # one wandb run, written twice
