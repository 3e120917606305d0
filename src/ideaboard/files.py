"""Everything the board writes to disk is private to its user, whatever the umask: the
database (with its WAL and shared memory), the secret key, backups and emailed links
(sign-up, password reset) written as .eml files. Directories 0700, files 0600."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

PRIVATE_UMASK = 0o077
DIRECTORY_MODE = 0o700
FILE_MODE = 0o600
# What group and others may never have on the board's files.
LOOSE_BITS = stat.S_IRWXG | stat.S_IRWXO


def make_directories(path: Path) -> Path:
    """Make the directory and its missing parents 0700, leaving any that exist as they
    are (the folder a backup is written to, or the database's, may be anyone's)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for directory in reversed(missing):  # mkdir(parents=True) would ignore the mode
        directory.mkdir(mode=DIRECTORY_MODE, exist_ok=True)
    return path


def private_directory(path: Path) -> Path:
    """Make the directory (and its missing parents) 0700; tighten it if it exists looser.
    Only for directories the board owns: its data directory and what is under it."""
    tighten(make_directories(path), DIRECTORY_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create the file empty and 0600 if it is missing; tighten it if it is looser. A
    SQLite database made this way gives its WAL and shared-memory files the same mode."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    tighten(path, FILE_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a file that only this user may read, replacing it whole (a reader never sees
    half of it)."""
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    tighten(partial, FILE_MODE)  # an old partial file may have been looser
    os.replace(partial, path)


def tighten(path: Path, mode: int) -> None:
    if path.stat().st_mode & LOOSE_BITS:
        os.chmod(path, mode)


def sqlite_files(database: Path) -> list[Path]:
    """The database file and the files SQLite keeps beside it."""
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]


def loose_paths(roots: list[Path]) -> Iterator[tuple[Path, int]]:
    """Files and directories under (and including) `roots` that group or others may read,
    write or enter, with their modes."""
    for root in roots:
        if not root.exists():
            continue
        candidates = [root] + (sorted(root.rglob("*")) if root.is_dir() else [])
        for path in candidates:
            mode = path.lstat().st_mode
            if not stat.S_ISLNK(mode) and mode & LOOSE_BITS:
                yield path, stat.S_IMODE(mode)
