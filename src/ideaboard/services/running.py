"""Any weeks' funnel and owners' response times in two rows per department (or owner
and department): `running_funnel` and `running_owner` hold `weekly_funnel` and
`weekly_owner` summed from the board's first week up to each week, so the weeks from
`first` to `last` are the running sum at `last` less the one at the week before
`first`. Counts subtract exactly, and so do the whole-day histograms, which hold at
most about 60 values each (`progress.rounded_days`): five years cost what four weeks
do.

A running sum is written for the weeks its department (or owner and department) has
ideas in; the sum at a week is its latest row at or before it. When a week's count
changes for one of them, its rows from that week on are written again
(`count_running`), in one transaction for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.services.progress import COUNTS, Progress
from ideaboard.tables import Idea
from ideaboard.weeks import week_of

Key = tuple[int, ...]  # (department,) or (owner, department)


@dataclass(frozen=True)
class Sums:
    """One running table: what it sums, and by what."""

    table: str
    weekly: str
    keys: tuple[str, ...]
    counts: tuple[str, ...]

    def key(self, row: dict[str, Any]) -> Key:
        return tuple(int(row[name]) for name in self.keys)

    @property
    def figures(self) -> str:
        return ", ".join((*self.counts, "days"))


FUNNEL = Sums("running_funnel", "weekly_funnel", ("department",), COUNTS)
OWNERS = Sums(
    "running_owner", "weekly_owner", ("owner", "department"),
    ("ideas", "answered", "answered_in_week", "decided"),
)  # fmt: skip


def _at(sums: Sums, where: str) -> str:
    """Each key's running sum at a week: its latest row at or before it."""
    keys = ", ".join(sums.keys)
    joined = " AND ".join(f"latest.{name} = r.{name}" for name in sums.keys)
    columns = ", ".join(f"r.{name}" for name in (*sums.keys, *sums.counts, "days"))
    return f"""
        SELECT {columns}, r.counted_at FROM {sums.table} r
        JOIN (SELECT {keys}, MAX(week) AS week FROM {sums.table}
              WHERE week <= {{}} {where} GROUP BY {keys}) latest
          ON {joined} AND latest.week = r.week"""  # noqa: S608 (constants and marks)


async def read_running(
    sums: Sums, first: date, weeks: int, where: str = "", *args: Any
) -> tuple[dict[Key, Progress], datetime | None]:
    """Each key's sums over the weeks (those with ideas in them), and when the last was
    counted. `where` narrows the keys ("AND department IN ({}, {})", with `args`).
    Histograms are read only when asked for."""
    last = first + timedelta(days=7 * (weeks - 1))
    sql = _at(sums, where)
    until = await Idea.raw(sql, week_of(last), *args)
    found = {sums.key(row): Progress.of(row) for row in until}
    for row in await Idea.raw(sql, week_of(first - timedelta(days=7)), *args):
        if (key := sums.key(row)) in found:
            found[key].subtract_row(row)
    counted = max((row["counted_at"] for row in until), default=None)
    return {key: progress for key, progress in found.items() if progress.ideas}, counted


async def count_running(sums: Sums, since: dict[Key, date]) -> None:
    """Write each key's running sums again from the week of its date on."""
    if not since:
        return
    match = " AND ".join(f"{name} = {{}}" for name in sums.keys)
    before = (
        f"SELECT {sums.figures} FROM {sums.table} WHERE {match} AND week < {{}}"  # noqa: S608
        " ORDER BY week DESC LIMIT 1"
    )
    after = (
        f"SELECT week, {sums.figures} FROM {sums.weekly}"  # noqa: S608
        f" WHERE {match} AND week >= {{}} ORDER BY week"
    )
    names = ("week", *sums.keys, *sums.counts, "days", "counted_at")
    marks = ", ".join("{}" for _ in names)
    insert = f"INSERT INTO {sums.table} ({', '.join(names)}) VALUES ({marks})"  # noqa: S608
    written: list[tuple[Key, str, list[list[Any]]]] = []  # each week's row to insert
    for key, monday in sorted(since.items()):
        first = week_of(monday)
        base = await Idea.raw(before, *key, first)
        running = Progress.of(base[0]) if base else Progress()
        weeks = []
        for row in await Idea.raw(after, *key, first):
            running.add_row(row)
            figures = [getattr(running, name) for name in sums.counts]
            weeks.append([row["week"], *key, *figures, running.days_json()])
        written.append((key, first, weeks))
    moment = now()
    delete = f"DELETE FROM {sums.table} WHERE {match} AND week >= {{}}"  # noqa: S608
    async with write_transaction():
        for key, first, weeks in written:
            await Idea.raw(delete, *key, first)
            for values in weeks:
                await Idea.raw(insert, *values, moment)


async def every_key(sums: Sums) -> list[Key]:
    """The keys with weekly rows (for a first count of the running sums)."""
    rows = await Idea.raw(f"SELECT DISTINCT {', '.join(sums.keys)} FROM {sums.weekly}")  # noqa: S608
    return [sums.key(row) for row in rows]
