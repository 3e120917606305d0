"""The `ideaboard` command: migrate, demo, create-admin."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PASSWORD

CLI = [sys.executable, "-m", "ideaboard.cli"]
KEY = secrets.token_urlsafe(48)


def run(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        env={**os.environ, "IDEABOARD_DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def empty_sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fresh.sqlite3'}"


def test_migrate_is_idempotent(empty_sqlite: str) -> None:
    first = run(empty_sqlite, "migrate")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Created the database's tables (") and "applied)" in first.stdout
    assert "not yet run" not in first.stdout  # Piccolo's confusing report stays out
    second = run(empty_sqlite, "migrate")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "The database is up to date: no migrations to apply."


def test_demo_fills_an_empty_board_and_prints_the_sign_ins(database_url: str) -> None:
    result = run(database_url, "demo")
    assert result.returncode == 0, result.stderr
    assert "8 departments, 60 people, 191 ideas" in result.stdout
    for email in ["admin@example.com", "manager@example.com", "member@example.com"]:
        assert email in result.stdout
    assert "ideaboard-demo" in result.stdout
    again = run(database_url, "demo")
    assert again.returncode == 2
    assert "only fills an empty one" in again.stdout


def test_demo_in_danish_is_a_danish_company_on_a_danish_board(database_url: str) -> None:
    result = run(database_url, "demo", "--language", "da")
    assert result.returncode == 0, result.stderr
    assert "Nordvind Logistik" in result.stdout and "Mette Leder, Drift" in result.stdout
    import asyncio

    async def board() -> tuple[str, list[str], str]:
        from ideaboard import db
        from ideaboard.tables import Department, Idea, Organisation

        async with db.connected(database_url):
            organisation = await Organisation.select(Organisation.language).first()
            departments = await Department.select(Department.name)
            idea = await Idea.select(Idea.body).first()
        assert organisation is not None and idea is not None
        return organisation["language"], [d["name"] for d in departments], idea["body"]

    language, departments, body = asyncio.run(board())
    assert language == "da"
    assert "Kundeservice" in departments and "Økonomi" in departments
    assert body.startswith("**Sådan er det i dag:**")


def test_create_admin_needs_a_board_and_good_input(database_url: str) -> None:
    args = ["create-admin", "--email", "root@example.com", "--name", "Root", "--department", "IT"]
    not_set_up = run(database_url, *args, IDEABOARD_ADMIN_PASSWORD=PASSWORD)
    assert not_set_up.returncode == 2
    assert "not set up yet" in not_set_up.stderr
    run(database_url, "demo")
    weak = run(database_url, *args, IDEABOARD_ADMIN_PASSWORD="password")
    assert weak.returncode == 2
    assert "too common" in weak.stderr
    created = run(database_url, *args, IDEABOARD_ADMIN_PASSWORD=PASSWORD)
    assert created.returncode == 0, created.stderr
    assert "Admin root@example.com created." in created.stdout
    duplicate = run(database_url, *args, IDEABOARD_ADMIN_PASSWORD=PASSWORD)
    assert duplicate.returncode == 2
    assert "already exists" in duplicate.stderr


def test_bad_setting_is_a_message_not_a_traceback(empty_sqlite: str) -> None:
    result = run(empty_sqlite, "migrate", IDEABOARD_PORT="eighty")
    assert result.returncode == 2
    assert "IDEABOARD_PORT must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_wheel_carries_templates_static_files_and_migrations(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    import zipfile

    wheel = next(tmp_path.glob("ideaboard-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in [
        "ideaboard/templates/base.html",
        "ideaboard/templates/ideas/show.html",
        "ideaboard/static/app.css",
        "ideaboard/static/vendor/htmx-2.0.11.min.js",
        "ideaboard/common-passwords.txt.gz",
        "ideaboard/locale/da/LC_MESSAGES/messages.po",
    ]:
        assert expected in names
    assert any(name.startswith("ideaboard/piccolo_migrations/ideaboard_") for name in names)


def test_recount_reports_drift_and_repairs_it(database_url: str) -> None:
    run(database_url, "demo")
    clean = run(database_url, "recount")
    assert clean.returncode == 0, clean.stderr
    assert "Every counter matches its rows." in clean.stdout

    import asyncio

    import asyncpg

    async def spoil() -> None:
        if database_url.startswith("sqlite"):
            import sqlite3

            from ideaboard.db import sqlite_path

            with sqlite3.connect(sqlite_path(database_url)) as connection:
                connection.execute("UPDATE idea SET vote_count = vote_count + 5 WHERE id = 3")
            return
        connection = await asyncpg.connect(database_url)
        await connection.execute("UPDATE idea SET vote_count = vote_count + 5 WHERE id = 3")
        await connection.close()

    asyncio.run(spoil())
    found = run(database_url, "recount")
    assert found.returncode == 1
    assert "idea 3: vote_count is" in found.stdout
    assert "Found 1 counter out of step: run with --repair." in found.stdout
    repaired = run(database_url, "recount", "--repair")
    assert repaired.returncode == 0
    assert "Repaired 1 counter out of step." in repaired.stdout
    assert "Every counter matches" in run(database_url, "recount").stdout


def test_check_reports_a_healthy_board(database_url: str, tmp_path: Path) -> None:
    result = run(database_url, "check", IDEABOARD_DATA_DIR=str(tmp_path / "var"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    Database:" in result.stdout and "the schema is up to date" in result.stdout


def test_check_and_serve_explain_what_is_wrong(empty_sqlite: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(empty_sqlite, "check", IDEABOARD_DATA_DIR=str(blocker / "var"))
    assert result.returncode == 1
    assert "FAIL  Data directory:" in result.stdout and "not writable" in result.stdout
    assert "run `ideaboard migrate`" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    # The server refuses to start with the same sentences, at once.
    served = run(empty_sqlite, "serve", "--port", "1", IDEABOARD_DATA_DIR=str(tmp_path / "var"))
    assert served.returncode == 1
    assert "ideaboard serve cannot start" in served.stderr
    assert "ideaboard migrate" in served.stderr


def test_check_says_when_the_database_does_not_answer(tmp_path: Path) -> None:
    result = run(
        "postgresql://postgres@127.0.0.1:1/nowhere", "check",
        IDEABOARD_DATA_DIR=str(tmp_path / "var"),
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAIL  Database: cannot reach PostgreSQL at 127.0.0.1:1/nowhere" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_production_refuses_unsafe_defaults(database_url: str, tmp_path: Path) -> None:
    production = {"IDEABOARD_ENV": "production", "IDEABOARD_DATA_DIR": str(tmp_path / "var")}
    unsafe = run(
        database_url, "check", IDEABOARD_BASE_URL="http://ideas.example.com",
        IDEABOARD_DEBUG="true", IDEABOARD_WORKERS="3", **production,
    )  # fmt: skip
    assert unsafe.returncode == 1
    assert "FAIL  Secret key: IDEABOARD_SECRET_KEY is not set" in unsafe.stdout
    assert "FAIL  Base URL: IDEABOARD_BASE_URL must be the board's https://" in unsafe.stdout
    assert "FAIL  Debug: IDEABOARD_DEBUG is on" in unsafe.stdout
    if database_url.startswith("sqlite"):
        assert "FAIL  Processes: 3 workers on SQLite" in unsafe.stdout
    short_key = run(database_url, "check", IDEABOARD_SECRET_KEY="short", **production)
    assert "FAIL  Secret key: IDEABOARD_SECRET_KEY is shorter than 32" in short_key.stdout
    served = run(database_url, "serve", "--port", "1", **production)
    assert served.returncode == 1 and "ideaboard serve cannot start" in served.stderr
    assert "Traceback" not in served.stdout + served.stderr

    safe = run(
        database_url, "check", IDEABOARD_SECRET_KEY=KEY,
        IDEABOARD_BASE_URL="https://ideas.example.com", **production,
    )  # fmt: skip
    assert safe.returncode == 0, safe.stdout
    assert "ok    Production: https base URL, debug off" in safe.stdout
    # Without a mail server nobody can join (sign-up confirms by email): said, not fatal.
    assert "FAIL  Email: files in" in safe.stdout and "Set IDEABOARD_SMTP_URL" in safe.stdout
    mailing = run(
        database_url, "check", IDEABOARD_SECRET_KEY=KEY,
        IDEABOARD_BASE_URL="https://ideas.example.com",
        IDEABOARD_SMTP_URL="smtp://mail.example.com:587", **production,
    )  # fmt: skip
    assert mailing.returncode == 0
    assert "ok    Email: delivered through SMTP server mail.example.com:587" in mailing.stdout


def test_development_only_warns_about_sqlite_with_several_workers(
    empty_sqlite: str, tmp_path: Path
) -> None:
    result = run(empty_sqlite, "check", "--help")
    assert result.returncode == 0
    run(empty_sqlite, "migrate")
    checked = run(
        empty_sqlite, "check", IDEABOARD_WORKERS="2", IDEABOARD_DATA_DIR=str(tmp_path / "var")
    )
    assert checked.returncode == 0
    assert "FAIL  Processes: 2 workers on SQLite" in checked.stdout


def test_unknown_environment_or_log_format_is_a_clear_error(empty_sqlite: str) -> None:
    wrong_env = run(empty_sqlite, "check", IDEABOARD_ENV="prod")
    assert wrong_env.returncode == 2
    assert "IDEABOARD_ENV must be one of development, production, not 'prod'" in wrong_env.stderr
    wrong_format = run(empty_sqlite, "check", IDEABOARD_LOG_FORMAT="xml")
    assert "IDEABOARD_LOG_FORMAT must be one of text, json" in wrong_format.stderr


def test_healthcheck_says_unhealthy_when_nothing_answers(empty_sqlite: str) -> None:
    result = run(empty_sqlite, "healthcheck", "--port", "1")
    assert result.returncode == 1
    assert result.stderr.startswith("unhealthy: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("k" * 48, "repeats the same 1 character"),
        ("abcd1234" * 6, "repeats the same 8 characters"),
        ("0" * 32 + "secret-key", "is too predictable"),
    ],
)
def test_production_refuses_a_weak_secret_key(
    database_url: str, tmp_path: Path, key: str, why: str
) -> None:
    checked = run(
        database_url, "check", IDEABOARD_ENV="production", IDEABOARD_SECRET_KEY=key,
        IDEABOARD_BASE_URL="https://ideas.example.com", IDEABOARD_DATA_DIR=str(tmp_path / "var"),
    )  # fmt: skip
    assert checked.returncode == 1
    assert f"FAIL  Secret key: IDEABOARD_SECRET_KEY {why}" in checked.stdout
    # Only a warning on a laptop.
    laptop = run(database_url, "check", IDEABOARD_SECRET_KEY=key,
                 IDEABOARD_DATA_DIR=str(tmp_path / "var"))  # fmt: skip
    assert laptop.returncode == 0 and why in laptop.stdout


@pytest.mark.parametrize("command", [["worker"], ["digest", "send"]])
def test_every_command_that_mails_refuses_what_serve_refuses(
    database_url: str, tmp_path: Path, command: list[str]
) -> None:
    """A worker with a key of its own would sign unsubscribe links the app servers refuse,
    and without a base URL its emails would link to 127.0.0.1."""
    data_dir = tmp_path / "var"
    production = {"IDEABOARD_ENV": "production", "IDEABOARD_DATA_DIR": str(data_dir)}
    no_key = run(database_url, *command, IDEABOARD_BASE_URL="https://ideas.example.com",
                 **production)  # fmt: skip
    assert no_key.returncode == 1, no_key.stdout + no_key.stderr
    assert f"ideaboard {' '.join(command)} cannot start" in no_key.stderr
    assert "IDEABOARD_SECRET_KEY is not set" in no_key.stderr
    assert not (data_dir / "secret_key").exists()  # it did not make a key of its own
    no_base_url = run(database_url, *command, IDEABOARD_SECRET_KEY=KEY, **production)
    assert no_base_url.returncode == 1
    assert "IDEABOARD_BASE_URL must be the board's https://" in no_base_url.stderr
    assert "Traceback" not in no_key.stderr + no_base_url.stderr
