"""Choosing loggers from the config, and wandb's offline-unless-logged-in rule, without starting a run."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rlkit.errors import ConfigError
from rlkit.loggers import ConsoleLogger, CSVLogger, make_loggers


def test_default_is_console_and_csv_and_imports_no_backend():
    code = ("import sys, tempfile; from rlkit.loggers import make_loggers; "
            "g = make_loggers(tempfile.mkdtemp(), 10, {'logger': {}}, {}); g.close(); "
            "print(sorted(type(x).__name__ for x in g.loggers), 'wandb' in sys.modules, "
            "'torch.utils.tensorboard' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['CSVLogger',", "'ConsoleLogger']", "False", "False"]


def test_disabled_backend_is_skipped(tmp_path):
    group = make_loggers(tmp_path, 10, {"logger": {"wandb": {"enabled": False, "mode": "offline"}}}, {})
    group.close()
    assert [type(x) for x in group.loggers] == [ConsoleLogger, CSVLogger]


def test_unknown_backend_and_unknown_setting_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown logger 'mlflow'; known: tensorboard, wandb"):
        make_loggers(tmp_path, 10, {"logger": {"mlflow": {"enabled": True}}}, {})
    with pytest.raises(ConfigError, match="logger 'tensorboard' has no setting flush_secs; settings: dir"):
        make_loggers(tmp_path, 10, {"logger": {"tensorboard": {"enabled": True, "flush_secs": 5}}}, {})


@pytest.fixture
def no_login(monkeypatch, tmp_path):
    for name in ("WANDB_MODE", "WANDB_API_KEY", "WANDB_IDENTITY_TOKEN_FILE", "WANDB_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    return tmp_path


def test_auto_mode_is_offline_without_login_and_online_with_one(no_login, monkeypatch):
    from rlkit.loggers.wandb import resolve_mode

    assert resolve_mode("auto") == "offline"
    netrc = no_login / "netrc"
    netrc.write_text("machine api.wandb.ai\n  login user\n  password " + "x" * 40 + "\n")
    monkeypatch.setenv("NETRC", str(netrc))
    assert resolve_mode("auto") == "online"
    monkeypatch.setenv("WANDB_BASE_URL", "https://wandb.example.com")  # a login for another host is no login
    assert resolve_mode("auto") == "offline"
    monkeypatch.setenv("WANDB_API_KEY", "x" * 40)
    assert resolve_mode("auto") == "online"


def test_wandb_mode_env_and_explicit_modes(no_login, monkeypatch):
    from rlkit.loggers.wandb import resolve_mode

    assert resolve_mode("disabled") == "disabled"
    monkeypatch.setenv("WANDB_MODE", "disabled")
    assert resolve_mode("auto") == "disabled"
    with pytest.raises(ConfigError, match="mode=online but no W&B login"):
        resolve_mode("online")
    with pytest.raises(ConfigError, match="must be one of auto, online, offline, disabled"):
        resolve_mode("sometimes")


def test_run_name_is_agent_env_seed():
    from rlkit.loggers.wandb import run_name

    assert run_name({"agent": "dqn", "env": "pkg.mod:Reach-v0", "seed": 3}) == "dqn-pkg.mod_Reach-v0-s3"
