"""Settings come from IDEABOARD_* variables, with safe defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from ideaboard.settings import Settings, SettingsError, resolve_secret_key


def test_defaults_serve_sqlite_under_var() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/ideaboard.sqlite3"
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.effective_base_url == "http://127.0.0.1:8000"
    assert not settings.secure_cookies
    assert (settings.templates_dir / "base.html").is_file()
    assert (settings.static_dir / "app.css").is_file()


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "IDEABOARD_DATABASE_URL": "postgresql://u@db/ideas",
            "IDEABOARD_HOST": "0.0.0.0",
            "IDEABOARD_PORT": "9000",
            "IDEABOARD_BASE_URL": "https://ideas.example.com/",
            "IDEABOARD_DEBUG": "true",
            "IDEABOARD_SESSION_DAYS": "7",
        }
    )
    assert settings.database_url == "postgresql://u@db/ideas"
    assert settings.port == 9000
    assert settings.effective_base_url == "https://ideas.example.com"
    assert settings.secure_cookies
    assert settings.debug
    assert settings.session_days == 7
    assert not settings.is_sqlite


def test_bad_number_is_a_clear_error() -> None:
    with pytest.raises(SettingsError, match="IDEABOARD_PORT must be a whole number"):
        Settings.from_env({"IDEABOARD_PORT": "eighty"})


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var")
    first = resolve_secret_key(settings)
    assert len(first) >= 40
    assert resolve_secret_key(settings) == first
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert resolve_secret_key(Settings(secret_key="given", data_dir=tmp_path)) == "given"
