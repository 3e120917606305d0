"""Where records quote a person for someone else (an email to Otto saying "Søren
commented", a webhook body naming the actor, the audit), and rewording them at erasure.

The outbox and the deliveries grow for years, so finding the rows that quote someone
reads whole tables. That reading happens before the erasure's transaction, beside the
running board (`find_quotes`); the transaction then rewrites only the rows found, and
looks again at the rows written since (`reword`), holding the write lock briefly."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

from ideaboard import db
from ideaboard.tables import OutboxEmail

# Text columns that may quote a person for someone else, by table.
QUOTING: dict[str, tuple[str, ...]] = {
    "outbox_email": ("subject", "text_body", "html_body", "headers"),
    "webhook_delivery": ("body", "last_response"),
    "notification": ("text", "detail"),
    "domain_event": ("detail",),
    "audit_entry": ("summary", "details"),
    # A file may be named after its sender ("søren-kjær-dock.jpg").
    "attachment": ("file_name",),
}
CHUNK = 500


@dataclass(frozen=True)
class Quotes:
    """The rows of each table found quoting the person, and the last id each table had."""

    rows: dict[str, list[int]]
    last_ids: dict[str, int]


def forms(text: str, replacement: str = "") -> list[tuple[str, str]]:
    """`text` as records may hold it (as is, escaped in HTML, escaped in JSON), each with
    `replacement` written the same way."""
    ways = (str, html.escape, lambda value: json.dumps(value)[1:-1],
            lambda value: json.dumps(value, ensure_ascii=False)[1:-1])  # fmt: skip
    pairs = {way(text): way(replacement) for way in ways}
    return [(needle, value) for needle, value in pairs.items() if needle.strip()]


async def find_quotes(needles: list[str]) -> Quotes:
    """Before the transaction: the ids of the rows holding any of `needles`."""
    rows: dict[str, list[int]] = {}
    last_ids: dict[str, int] = {}
    for table, columns in QUOTING.items():
        last = await OutboxEmail.raw(f"SELECT MAX(id) AS last FROM {table}")  # noqa: S608
        last_ids[table] = int(last[0]["last"] or 0)
        holds = " OR ".join(db.contains_sql(column) for column in columns for _ in needles)
        args = [needle for _ in columns for needle in needles]
        found = await OutboxEmail.raw(
            f"SELECT id FROM {table} WHERE id <= {{}} AND ({holds})",  # noqa: S608
            last_ids[table], *args,
        )  # fmt: skip
        rows[table] = [int(row["id"]) for row in found]
    return Quotes(rows, last_ids)


async def reword(
    quotes: Quotes, replacements: dict[str, list[tuple[str, str]]]
) -> dict[str, set[int]]:
    """Inside the transaction: replace each (needle, replacement) of the table's list in
    the rows found, and in rows written since; returns the ids reworded, by table."""
    reworded: dict[str, set[int]] = {table: set() for table in QUOTING}
    for table, columns in QUOTING.items():
        found = quotes.rows[table]
        chunks = [found[start : start + CHUNK] for start in range(0, len(found), CHUNK)]
        for chunk in [*chunks, []]:  # the last, empty one: only the rows written since
            within = ", ".join("{}" for _ in chunk) or "NULL"
            for column in columns:
                for needle, replacement in replacements[table]:
                    # Table and column names are QUOTING's; every value is bound.
                    sql = (
                        f"UPDATE {table} SET {column} = REPLACE({column}, {{}}, {{}})"  # noqa: S608
                        f" WHERE (id IN ({within}) OR id > {{}}) AND {db.contains_sql(column)}"
                        " RETURNING id"
                    )
                    rows = await OutboxEmail.raw(
                        sql, needle, replacement, *chunk, quotes.last_ids[table], needle
                    )
                    reworded[table].update(int(row["id"]) for row in rows)
    return reworded
