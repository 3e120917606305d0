"""Piccolo table of the pictures and files attached to ideas and comments. Part of
`ideaboard.tables.TABLES`. The bytes live in the store (ideaboard.storage) under the
attachment's random `key`."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Timestamptz,
    Varchar,
)
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# ideaboard.tables imports this module: its tables are named, not imported.
User = LazyTableReference("User", module_path="ideaboard.tables")
Idea = LazyTableReference("Idea", module_path="ideaboard.tables")
Comment = LazyTableReference("Comment", module_path="ideaboard.tables")


class Attachment(Table):
    """A picture or file. Uploaded first (`idea` and `comment` empty: only its uploader
    sees it, and a day later it is cleared away), then attached with the idea or comment
    it came with. A comment's file also names the comment's idea, so one query finds all
    of an idea page's files. Removed by a moderator: kept (and shown to moderators) so
    that it can be restored, like a hidden idea."""

    id: Serial
    key = Varchar(length=32, unique=True)  # random: the file's address and stored name
    idea: ForeignKey[Any] = ForeignKey(Idea, on_delete=OnDelete.cascade, null=True, index=True)
    comment: ForeignKey[Any] = ForeignKey(
        Comment, on_delete=OnDelete.cascade, null=True, index=True
    )
    uploader: ForeignKey[Any] = ForeignKey(
        User, on_delete=OnDelete.restrict, null=False, index=True
    )
    file_name = Varchar(length=160)
    kind = Varchar(length=8)  # "image" (re-encoded: web copy and thumbnail) or "file"
    content_type = Varchar(length=80)
    size = Integer(default=0)  # bytes of what is served (a picture's web copy)
    stored = Integer(default=0)  # bytes it takes in the store, every variant
    width = Integer(default=0)
    height = Integer(default=0)
    removed_at = Timestamptz(null=True, default=None)
    removed_by: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()


FILE_TABLES: tuple[type[Table], ...] = (Attachment,)
