"""Rows from SQLite as the board reads them: dicts, with booleans and moments converted
by column name, on the engine's own connections."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Boolean, Timestamptz
from piccolo.table import Table

Rows = list[dict[str, Any]]

# What a column's values are read as, by the column's name. SQLite returns integers,
# floats and text as Python's own; booleans (stored as 0 and 1) and moments (stored as
# ISO text, in UTC) are turned into bool and datetime here, per connection, instead of
# by sqlite3's declared-type converters, which are one registry for the whole process
# (Piccolo's own take every INTEGER through Decimal).
Converter = Callable[[Any], Any]


def read_moment(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def converters_for(tables: Iterable[type[Table]]) -> dict[str, Converter]:
    """The converter of every boolean and moment column of these tables, by name (a
    name means the same kind of value in every table: checked here)."""
    kinds: dict[str, Converter] = {}
    for table in tables:
        for column in table._meta.columns:
            converter: Converter | None = None
            if isinstance(column, Boolean):
                converter = bool
            elif isinstance(column, Timestamptz):
                converter = read_moment
            name = column._meta.db_column_name
            if kinds.get(name, converter) is not converter:
                raise ValueError(f"column {name!r} holds different kinds of values")
            if converter is not None:
                kinds[name] = converter
    return kinds


class ColumnReader:
    """Turns a statement's rows into dicts, converting booleans and moments by column
    name: the column's own name, Piccolo's name for a joined one ("author.created_at"),
    or an alias ending in "_" and the name ("comment_created_at")."""

    def __init__(self, converters: dict[str, Converter]) -> None:
        self._converters = converters
        self._plans: dict[tuple[str, ...], list[tuple[str, Converter]]] = {}

    def _plan(self, names: tuple[str, ...]) -> list[tuple[str, Converter]]:
        plan = self._plans.get(names)
        if plan is None:
            plan = [(name, c) for name in names if (c := self._converter(name)) is not None]
            if len(self._plans) < 4096:  # one per distinct statement's columns
                self._plans[names] = plan
        return plan

    def _converter(self, name: str) -> Converter | None:
        name = name.rpartition(".")[2]
        found = self._converters.get(name)
        if found is None:
            for column, converter in self._converters.items():
                if name.endswith("_" + column):
                    return converter
        return found

    def rows(self, connection: sqlite3.Connection, sql: str, args: Any) -> Rows:
        cursor = connection.execute(sql, args)
        try:
            rows = cursor.fetchall()
            if not rows:
                return []
            names = tuple(column[0] for column in cursor.description)
            records = [dict(zip(names, row, strict=True)) for row in rows]
            plan = self._plan(names)
            if plan:
                for record in records:
                    for name, converter in plan:
                        value = record[name]
                        if value is not None:
                            record[name] = converter(value)
            return records
        finally:
            cursor.close()
