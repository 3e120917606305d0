"""`ideaboard backup` under write load, and `ideaboard restore` into a fresh database
whose integrity and counters check out."""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from conftest import POSTGRES_URL, Personas, _with_database, make_idea, run_in_own_loop
from ideaboard.services import votes
from ideaboard.tables import Idea

CLI = [sys.executable, "-m", "ideaboard.cli"]


async def cli(database_url: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        *CLI, *args,
        env={**os.environ, "IDEABOARD_DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


@pytest.fixture
def fresh_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"ideaboard_restore_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    run_in_own_loop(admin(f'CREATE DATABASE "{name}"'))
    yield _with_database(POSTGRES_URL, name)
    run_in_own_loop(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def test_backup_under_write_load_restores_with_integrity(
    board: Personas, database_url: str, fresh_database: str, tmp_path: Path
) -> None:
    for n in range(20):
        await make_idea(board.mia, board.it, title=f"Idea {n}")
    writing = True
    written = 0

    async def write_load() -> None:
        nonlocal written
        while writing:
            idea = await make_idea(board.otto, board.operations, title=f"Under load {written}")
            await votes.set_vote(board.mo.actor, idea, voted=True)
            written += 1

    load = asyncio.create_task(write_load())
    target = tmp_path / "backup.file"
    code, out, err = await cli(database_url, "backup", str(target))
    writing = False
    await load
    assert code == 0, err
    assert "Backed up to" in out and target.stat().st_size > 0
    assert written > 0  # the app kept writing while the backup ran
    assert (await cli(database_url, "backup", str(target)))[0] == 1  # never overwrites

    code, out, err = await cli(fresh_database, "restore", str(target))
    assert code == 0, err
    restored_ideas = int(out.split("Restored ")[1].split(": ")[1].split(" ideas")[0])
    assert 20 <= restored_ideas <= await Idea.count()
    # Every counter matches its rows in the copy: a consistent snapshot, not a torn one.
    code, out, err = await cli(fresh_database, "recount")
    assert code == 0, out + err
    assert "Every counter matches its rows." in out
    if fresh_database.startswith("sqlite"):
        path = fresh_database.removeprefix("sqlite:///")
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # A board with data is not replaced by accident.
    code, _, err = await cli(fresh_database, "restore", str(target))
    assert code == 1 and "already holds a board" in err
    assert (await cli(fresh_database, "restore", "--force", str(target)))[0] == 0


async def test_restore_refuses_what_is_not_a_backup(
    board: Personas, database_url: str, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not a database")
    code, _, err = await cli(database_url, "restore", str(junk))
    assert code == 1 and err.startswith("ideaboard restore:") and "Traceback" not in err
    code, _, err = await cli(database_url, "restore", str(tmp_path / "missing"))
    assert code == 1 and "There is no backup at" in err
