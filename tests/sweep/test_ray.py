"""The same seed sweep on Ray (hydra-ray-launcher): a Ray started in-process, a cluster joined by address, and an
address where no cluster answers. Ray 2.60 gets: no token auth on this test cluster, its temp files in a scratch
folder, no dashboard, no usage stats.

Every Ray process runs in a network namespace of its own that has only the loopback interface (``unshare --net``):
Ray would otherwise bind the machine's own address on all interfaces and probe a public resolver to find it, so
only there is its traffic loopback-only. Where namespaces cannot be made (no privilege), the tests skip."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.sweep.helpers import TINY, finished_runs, one_error_line, sweep

pytest.importorskip("hydra_plugins.hydra_ray_launcher.ray_launcher", reason="pip install -e '.[ray]'")


@pytest.fixture
def ray_env():
    temp = tempfile.mkdtemp(prefix="ray")  # short: Ray's unix sockets live under it (108-byte path limit)
    env = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": temp, "RAY_ADDRESS": ""}
    yield env
    shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture
def loopback():
    """A command prefix that runs a command inside a network namespace with only ``lo`` (up)."""
    holder = subprocess.Popen(["unshare", "--net", "sh", "-c", "ip link set lo up && exec sleep 3600"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    time.sleep(0.3)
    if holder.poll() is not None:
        pytest.skip(f"cannot make a network namespace here: {holder.stderr.read().decode().strip()}")
    yield ["nsenter", f"--net=/proc/{holder.pid}/ns/net", "--"]
    holder.kill()
    holder.wait(timeout=10)


def port_open(prefix: list[str], port: int) -> bool:
    probe = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=1).close()"
    return subprocess.run([*prefix, sys.executable, "-c", probe], capture_output=True).returncode == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_ray_sweep_makes_two_complete_run_dirs(tmp_path, ray_env, loopback):
    proc = sweep(*TINY, "seed=0,1", "threads=auto", "hydra/launcher=ray", "hydra.sweep.dir=sweep",
                 "+hydra.launcher.ray.init.include_dashboard=false", "+hydra.launcher.ray.init.num_cpus=2",
                 cwd=tmp_path, env=ray_env, prefix=loopback)
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = finished_runs(tmp_path / "sweep")
    assert sorted(r["seed"] for r in runs) == [0, 1] and all(r["threads"] == 1 for r in runs)


def test_sweep_joins_a_running_cluster(tmp_path, ray_env, loopback):
    port = free_port()
    ray_cli = str(Path(sys.executable).with_name("ray"))  # the venv's, also when it is not on PATH
    head = subprocess.Popen([*loopback, ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2",
                             "--include-dashboard=false", "--disable-usage-stats", "--block",
                             f"--temp-dir={ray_env['RAY_TMPDIR']}"],
                            env={**os.environ, **ray_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # its own process group: stopped below by that group only
    try:
        deadline = time.monotonic() + 60
        while True:
            if port_open(loopback, port):
                break
            assert time.monotonic() < deadline and head.poll() is None, "ray start --head did not come up"
            time.sleep(0.5)
        proc = sweep(*TINY, "seed=0,1", "hydra/launcher=ray", f"hydra.launcher.ray.init.address=127.0.0.1:{port}",
                     f"hydra.sweep.dir={tmp_path / 'sweep'}", cwd=tmp_path, env=ray_env, prefix=loopback)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert "Connected to Ray cluster" in proc.stderr
        assert sorted(r["seed"] for r in finished_runs(tmp_path / "sweep")) == [0, 1]
    finally:
        with contextlib.suppress(ProcessLookupError):  # a head that died already: its assertion is the error
            os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait(timeout=10)


def test_unreachable_address_is_one_line_after_a_bounded_wait(tmp_path, ray_env, loopback):
    port = free_port()  # nothing listens there
    start = time.monotonic()
    proc = sweep("seed=0,1", "hydra/launcher=ray", f"hydra.launcher.ray.init.address=127.0.0.1:{port}",
                 cwd=tmp_path, env=ray_env, timeout=60, prefix=loopback)
    assert time.monotonic() - start < 30
    assert proc.returncode == 2
    line = one_error_line(proc)
    assert f"hydra.launcher.ray.init.address=127.0.0.1:{port}: no Ray cluster answers there" in line
    assert "ray start --head" in line
    assert not any(tmp_path.iterdir())
