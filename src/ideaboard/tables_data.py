"""Piccolo tables of people's data coming and going: which source row an import turned
into which of our rows, and the "Download my data" files being made and fetched. Part
of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# ideaboard.tables imports this module: the account table is named, not imported.
User = LazyTableReference("User", module_path="ideaboard.tables")


class ImportKey(Table):
    """One source row imported: (source, key) is UNIQUE (an index made by a migration).
    `kind` says what it became ("idea", "comment", "update"), `target` its id."""

    id: Serial
    source = Varchar(length=16)
    key = Varchar(length=200)
    kind = Varchar(length=16)
    target = Integer()
    created_at = Timestamptz()


class DataRequest(Table):
    """Someone's "Download my data" (services.personal_data): made in the background,
    then fetched once through a signed link, and the file deleted."""

    id: Serial
    account: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    state = Varchar(length=16, default="waiting")  # waiting, ready, taken, expired
    file_name = Varchar(length=64, default="")  # under DATA_DIR/exports
    size = Integer(default=0)
    created_at = Timestamptz()
    ready_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    taken_at = Timestamptz(null=True, default=None)


DATA_TABLES: tuple[type[Table], ...] = (ImportKey, DataRequest)
