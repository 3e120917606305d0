"""An admin's full export (GDPR article 20, and leaving for another tool): every
department, person, idea, vote, comment, status update, merge, follow and attached
file, as one JSON document that `ideaboard import ideaboard` reads back, and as a CSV
file per entity; the pictures and files themselves under `files/`.

Everything is in it, hidden and pending content too (marked as such): it is the
admins' copy of the board. No password hashes, sessions, tokens or emails."""

from __future__ import annotations

import asyncio
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ideaboard.csv_files import csv_text
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, can_administer
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import require
from ideaboard.services.file_keeping import add_to_zip, exported
from ideaboard.services.organisation import get_organisation
from ideaboard.storage import Store
from ideaboard.tables import (
    Attachment,
    Comment,
    Department,
    DepartmentManager,
    Idea,
    Merge,
    StatusChange,
    Subscription,
    User,
    Vote,
)

FORMAT = "ideaboard-export"
VERSION = 1

# Each entity: its columns, in the order of its CSV file.
ENTITIES: dict[str, tuple[str, ...]] = {
    "departments": ("id", "name", "slug", "archived", "routing_threshold", "created_at"),
    "people": ("id", "name", "email", "department", "role", "active", "erased", "created_at"),
    "managers": ("department", "manager"),
    "ideas": (
        "id", "title", "body", "author", "author_department", "department", "status",
        "anonymous", "approval", "hidden", "moderation_reason", "owner", "merged_into",
        "vote_count", "comment_count", "created_at", "updated_at",
    ),
    "votes": ("idea", "voter", "created_at"),
    "comments": (
        "id", "idea", "author", "body", "approval", "hidden", "edited", "created_at", "updated_at",
    ),
    "status_updates": (
        "id", "idea", "from_status", "to_status", "author", "message", "created_at",
    ),
    "merges": ("duplicate", "target", "merged_by", "previous_status", "created_at"),
    "follows": ("person", "idea", "created_at"),
    # Pictures (their web-size copy) and files, in the zip under `path`.
    "attachments": (
        "key", "idea", "comment", "uploader", "file_name", "kind", "content_type", "size",
        "removed", "created_at", "path",
    ),
}  # fmt: skip


BOOLEANS = frozenset({"archived", "active", "erased", "anonymous", "hidden", "edited", "removed"})


@dataclass(frozen=True)
class BoardExport:
    organisation: dict[str, Any]
    exported_at: datetime
    entities: dict[str, list[dict[str, Any]]]

    def document(self) -> dict[str, Any]:
        """The JSON document: `import` reads it back."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": self.exported_at,
            "organisation": self.organisation,
            **self.entities,
        }


async def export_board(actor: Actor | None) -> BoardExport:
    """No actor: the operator, on the command line."""
    if actor is not None:
        require(can_administer(actor))
        async with write_transaction():
            await add_audit(actor, "board.export", target_type="organisation", target_id=0,
                            summary="Downloaded the whole board")  # fmt: skip
    organisation = await get_organisation()
    entities = await _read_entities()
    for rows in entities.values():
        for row in rows:  # SQLite hands booleans back as 0 and 1
            row.update({key: bool(row[key]) for key in BOOLEANS.intersection(row)})
    return BoardExport(
        organisation={"name": organisation.name, "language": organisation.language},
        exported_at=now(),
        entities=entities,
    )


PEOPLE = (User.id, User.name, User.email, User.department, User.role, User.active,
          User.erased_at, User.created_at)  # fmt: skip


async def _read_entities() -> dict[str, list[dict[str, Any]]]:
    return {
        "departments": await Department.select(
            *_columns(Department, ENTITIES["departments"])
        ).order_by(Department.id),
        "people": [
            {**row, "erased": row.pop("erased_at") is not None}
            for row in await User.select(*PEOPLE).order_by(User.id)
        ],
        "managers": await DepartmentManager.select(
            DepartmentManager.department, DepartmentManager.manager
        ).order_by(DepartmentManager.id),
        "ideas": await Idea.select(*_columns(Idea, ENTITIES["ideas"])).order_by(Idea.id),
        "votes": await Vote.select(Vote.idea, Vote.voter, Vote.created_at).order_by(Vote.id),
        "comments": await Comment.select(*_columns(Comment, ENTITIES["comments"])).order_by(
            Comment.id
        ),
        "status_updates": await StatusChange.select(
            *_columns(StatusChange, ENTITIES["status_updates"])
        ).order_by(StatusChange.id),
        "merges": await Merge.select(*_columns(Merge, ENTITIES["merges"]))
        .where(Merge.undone_at.is_null())
        .order_by(Merge.id),
        "follows": [
            {"person": row["account"], "idea": row["idea"], "created_at": row["created_at"]}
            for row in await Subscription.select(
                Subscription.account, Subscription.idea, Subscription.created_at
            ).order_by(Subscription.id)
        ],
        "attachments": [
            exported(row) for row in await Attachment.select(*ATTACHMENTS).order_by(Attachment.id)
        ],
    }


ATTACHMENTS = (Attachment.key, Attachment.idea, Attachment.comment, Attachment.uploader,
               Attachment.file_name, Attachment.kind, Attachment.content_type, Attachment.size,
               Attachment.removed_at, Attachment.created_at)  # fmt: skip


async def write_export(export: BoardExport, target: Path, store: Store, *, delimiter: str) -> None:
    """The zip of `write_zip`, with the pictures and files from the store added."""
    await asyncio.to_thread(write_zip, export, target, delimiter=delimiter)
    await add_to_zip(target, export.entities["attachments"], store)


def write_zip(export: BoardExport, target: Path, *, delimiter: str = ",") -> None:
    """board.json and a CSV file per entity, in a zip at `target`."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("board.json", json.dumps(export.document(), default=_json, indent=1))
        for name, columns in ENTITIES.items():
            rows = ([_cell(row[column]) for column in columns] for row in export.entities[name])
            archive.writestr(f"{name}.csv", csv_text(columns, rows, delimiter=delimiter))


def counts(export: BoardExport) -> dict[str, int]:
    return {name: len(rows) for name, rows in export.entities.items()}


def _columns(table: Any, names: Iterable[str]) -> list[Any]:
    return [getattr(table, name) for name in names]


def _json(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value
