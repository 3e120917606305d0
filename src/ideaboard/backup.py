"""`ideaboard backup` and `ideaboard restore`: a consistent copy of a live board.

SQLite: `VACUUM INTO` reads one snapshot while the app keeps writing (WAL), and writes a
compact copy; restoring goes through SQLite's online backup API into the database file.
PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`. Both check what they
wrote (SQLite: `PRAGMA integrity_check`) and refuse to restore over a board that has
data unless told to.

Pictures and files kept in the data directory (the default store) go into a tar file
beside the database's copy, `<backup>.files.tar`, taken after the database so that
every file the copy names is in it; restore puts them back. A board whose files are in
an S3 store keeps them there: the bucket's own versioning or replication backs it up.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ideaboard.db import sqlite_path
from ideaboard.files import (
    DIRECTORY_MODE,
    FILE_MODE,
    make_directories,
    private_directory,
    private_file,
    tighten,
)
from ideaboard.settings import Settings


class BackupError(Exception):
    """Said to the operator as it is, without a traceback."""


@dataclass(frozen=True)
class Contents:
    ideas: int
    people: int


def default_target(settings: Settings) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if settings.is_sqlite else "dump"
    return settings.data_dir / "backups" / f"ideaboard-{stamp}.{suffix}"


def backup(settings: Settings, target: Path | None = None) -> Path:
    target = target or default_target(settings)
    if target.exists():
        raise BackupError(f"{target} already exists: choose another file name.")
    make_directories(target.parent)
    if settings.is_sqlite:
        source = sqlite_path(settings.database_url)
        if not source.exists():
            raise BackupError(f"There is no database at {source}.")
        private_file(target)  # VACUUM INTO fills an empty file and keeps its mode
        try:
            with _open(source) as connection:
                connection.execute("VACUUM INTO ?", (str(target),))
        except sqlite3.Error:
            target.unlink()
            raise
        _check_sqlite(target)
    else:
        private_file(target)
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
              f"--dbname={settings.database_url}"])  # fmt: skip
        tighten(target, FILE_MODE)
    files = files_folder(settings)
    if files is not None and files.is_dir():
        archive = files_archive(target)
        private_file(archive)
        with tarfile.open(archive, "w") as tar:
            tar.add(files, arcname="files")
    return target


def files_folder(settings: Settings) -> Path | None:
    """Where the default store keeps pictures and files; None with an S3 store."""
    return None if settings.storage_url else settings.data_dir / "files"


def files_archive(backup_file: Path) -> Path:
    return backup_file.with_name(backup_file.name + ".files.tar")


def _restore_files(settings: Settings, source: Path) -> None:
    archive, files = files_archive(source), files_folder(settings)
    if files is None or not archive.is_file():
        return
    private_directory(files)
    with tarfile.open(archive) as tar:
        tar.extractall(files.parent, filter="data")
    for path in files.rglob("*"):
        tighten(path, DIRECTORY_MODE if path.is_dir() else FILE_MODE)


def restore(settings: Settings, source: Path, *, force: bool = False) -> Contents:
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    if settings.is_sqlite:
        _check_sqlite(source)
        target = sqlite_path(settings.database_url)
        make_directories(target.parent)
        private_file(target)
        with _open(target) as destination:
            if not force and _has_data(destination):
                raise BackupError(_REFUSE.format(target=target))
            with _open(source) as backup_file:
                backup_file.backup(destination)
            _restore_files(settings, source)
            return _contents(destination)
    if not force and _postgres_has_data(settings.database_url):
        raise BackupError(_REFUSE.format(target="this PostgreSQL database"))
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          f"--dbname={settings.database_url}", str(source)])  # fmt: skip
    counts = _psql(
        settings.database_url, "SELECT (SELECT COUNT(*) FROM idea), (SELECT COUNT(*) FROM account)"
    )
    ideas, people = (int(n) for n in counts.split("|"))
    _restore_files(settings, source)
    return Contents(ideas=ideas, people=people)


_REFUSE = (
    "{target} already holds a board. Restoring replaces everything in it:"
    " run again with --force if that is what you want (take a backup of it first)."
)


def _open(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=30)
    connection.execute("PRAGMA busy_timeout = 30000")
    return connection


def _check_sqlite(path: Path) -> None:
    try:
        with _open(path) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")
    if "idea" not in tables:
        raise BackupError(f"{path} is not an ideaboard database (no idea table).")


def _has_data(connection: sqlite3.Connection) -> bool:
    try:
        return bool(connection.execute("SELECT COUNT(*) FROM organisation").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet: nothing to lose
        return False


def _contents(connection: sqlite3.Connection) -> Contents:
    ideas = connection.execute("SELECT COUNT(*) FROM idea").fetchone()[0]
    people = connection.execute("SELECT COUNT(*) FROM account").fetchone()[0]
    return Contents(ideas=int(ideas), people=int(people))


def _postgres_has_data(url: str) -> bool:
    exists = _psql(url, "SELECT to_regclass('public.organisation') IS NOT NULL")
    return exists == "t" and _psql(url, "SELECT COUNT(*) FROM organisation") != "0"


def _psql(url: str, sql: str) -> str:
    return _run(["psql", "--no-psqlrc", "--tuples-only", "--no-align", f"--dbname={url}",
                 "--command", sql]).strip()  # fmt: skip


def _run(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client tools.")
    # The PostgreSQL client tools with the operator's own database URL: no outside input.
    completed = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()}")
    return completed.stdout
