"""dhenara-ai's ``settings``: defaults, changes in code, ``dhenara_config.py`` read on first use (not at import), and
the cost settings taking effect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import dhenara_http
from dhenara_http import ChatModelCostData, ChatResponseUsage, Settings
from dhenara_http import _settings as settings_module
from dhenara_http._pricing import chat_usage_charge

PRICES = ChatModelCostData(input_token_cost_per_million=1.0, output_token_cost_per_million=2.0)
USAGE = ChatResponseUsage(prompt_tokens=1000, completion_tokens=1000, total_tokens=2000)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A working directory of its own and no process-wide settings made yet."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings_module, "_settings", None)
    return tmp_path


def test_defaults_and_changes(fresh: Path) -> None:
    settings = settings_module.get_settings()
    assert settings.ENABLE_STREAMING_CONSOLIDATION is True
    assert settings.API_TIMEOUT == 300
    settings.ENABLE_STREAMING_CONSOLIDATION = False
    settings.update(DEBUG=True, lower_case_ignored=1)
    assert settings.ENABLE_STREAMING_CONSOLIDATION is False
    assert settings.DEBUG is True
    assert "lower_case_ignored" not in settings.configured_settings
    with pytest.raises(AttributeError, match="NOT_A_SETTING"):
        _ = settings.NOT_A_SETTING
    assert settings_module.get_settings() is settings
    assert isinstance(settings, Settings)


def test_user_file_in_the_working_directory(fresh: Path) -> None:
    (fresh / "dhenara_config.py").write_text(
        "ENABLE_COST_TRACKING = False\nMY_OWN = 'x'\nlower = 1\n", encoding="utf-8"
    )
    settings = settings_module.get_settings()
    assert settings.ENABLE_COST_TRACKING is False
    assert settings.MY_OWN == "x"
    assert "lower" not in settings.configured_settings
    assert Settings(load_user_settings=False).ENABLE_COST_TRACKING is True


def test_cost_tracking_off_leaves_the_cost_out(fresh: Path) -> None:
    settings = settings_module.get_settings()
    assert chat_usage_charge(USAGE, PRICES) is not None
    settings.ENABLE_COST_TRACKING = False
    assert chat_usage_charge(USAGE, PRICES) is None
    settings.ENABLE_COST_TRACKING = True
    settings.ENABLE_USAGE_TRACKING = False
    assert chat_usage_charge(USAGE, PRICES) is None


def test_root_export_and_no_file_read_at_import(tmp_path: Path) -> None:
    (tmp_path / "dhenara_config.py").write_text("raise SystemExit('read at import')\n", encoding="utf-8")
    probe = "import dhenara_http, dhenara_http._settings as s; print(s._settings is None)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "True"
    assert "settings" in dhenara_http.__all__
