"""Keeping the bytes of pictures and files in step with their rows: deleting them with
what they were on, clearing staged files nobody took, putting them in export zips,
and telling admins what the store holds."""

from __future__ import annotations

import asyncio
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from ideaboard.services.clock import now
from ideaboard.storage import Store
from ideaboard.tables import Attachment, User

# What the store keeps of each kind: a picture's web-size copy and thumbnail, a file.
VARIANTS = {"image": ("web", "thumb"), "file": ("file",)}
# How long a staged file waits for the form it came with.
STAGED_FOR = timedelta(days=1)


async def stored_of(
    *, idea_ids: Sequence[int] = (), comment_ids: Sequence[int] = ()
) -> list[dict[str, Any]]:
    """Key and kind of the files on these ideas and comments: read before deleting
    them, so that their bytes can go too (`delete_stored`)."""
    found: list[dict[str, Any]] = []
    for column, ids in ((Attachment.idea, idea_ids), (Attachment.comment, comment_ids)):
        for start in range(0, len(ids), 500):
            found += await Attachment.select(Attachment.key, Attachment.kind).where(
                column.is_in(list(ids[start : start + 500]))
            )
    return found


async def delete_stored(store: Store, rows: list[dict[str, Any]]) -> None:
    """Delete the bytes of these files (rows with key and kind) from the store."""
    for row in rows:
        for variant in VARIANTS.get(row["kind"], ("file",)):
            await store.delete(f"{row['key']}/{variant}")


def exported(row: dict[str, Any]) -> dict[str, Any]:
    """A file's row as exports list it: `removed` said plainly, and `path`, where the file
    is in the zip (its own folder, under the name it was sent as)."""
    fields = {key: value for key, value in row.items() if key != "removed_at"}
    path = f"files/{row['key']}/{row['file_name']}"
    return {**fields, "removed": row.get("removed_at") is not None, "path": path}


async def add_to_zip(target: Path, rows: list[dict[str, Any]], store: Store) -> None:
    """Put these files (`exported` rows; a picture as its web-size copy) into the zip at
    `target`, after what it holds."""
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_STORED) as archive:
        for row in rows:
            data = await store.get(f"{row['key']}/{VARIANTS[row['kind']][0]}")
            if data is not None:
                await asyncio.to_thread(archive.writestr, row["path"], data)


async def clear_staged(store: Store) -> int:
    """Files staged a day ago that no idea or comment took (a form left unsent)."""
    rows = await Attachment.select(Attachment.key, Attachment.kind).where(
        Attachment.idea.is_null(), Attachment.created_at < now() - STAGED_FOR
    )
    if rows:
        await Attachment.delete().where(Attachment.key.is_in([r["key"] for r in rows]))
        await delete_stored(store, rows)
    return len(rows)


@dataclass(frozen=True)
class Usage:
    files: int
    bytes: int
    people: list[dict[str, Any]]  # name, email, files, bytes: the largest first


async def usage(top: int = 10) -> Usage:
    """What the store holds, and who keeps the most (admins see it against the quota)."""
    total = await Attachment.raw(
        "SELECT COUNT(*) AS files, COALESCE(SUM(stored), 0) AS bytes FROM attachment"
    )
    people = await User.raw(
        """SELECT a.name, a.email, COUNT(*) AS files, SUM(f.stored) AS bytes
        FROM attachment f JOIN account a ON a.id = f.uploader
        GROUP BY a.id, a.name, a.email ORDER BY SUM(f.stored) DESC, a.id LIMIT {}""",
        top,
    )
    return Usage(int(total[0]["files"]), int(total[0]["bytes"]), people)
