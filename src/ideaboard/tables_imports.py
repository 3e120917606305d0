"""Piccolo table of imports: which source row became which of our rows, so a re-run of
the same import writes nothing twice. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class ImportKey(Table):
    """One source row imported: (source, key) is UNIQUE (an index made by a migration).
    `kind` says what it became ("idea", "comment", "update"), `target` its id."""

    id: Serial
    source = Varchar(length=16)
    key = Varchar(length=200)
    kind = Varchar(length=16)
    target = Integer()
    created_at = Timestamptz()


IMPORT_TABLES: tuple[type[Table], ...] = (ImportKey,)
