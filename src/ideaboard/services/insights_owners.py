"""/insights' owners: each person who answers for ideas, with their open ideas today
(how many, how many silent for 30 days, their last word) and how soon the ideas of the
period they own had an official update and a decision.

Today's figures are read from `owner_load`, counted after each count of the weeks from
the open owned ideas (through the triage's lane indexes, in the background). The
period's come from `period_owner` for the named ranges (a row per owner, medians worked
out), or else from `weekly_owner`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ideaboard.db import is_sqlite
from ideaboard.services.insights_scope import ALL, Period, Scope
from ideaboard.services.progress import Progress, add_to
from ideaboard.services.running import OWNERS, read_running
from ideaboard.tables import PeriodOwner, User

SILENT_AFTER = timedelta(days=30)
# Each owner's open ideas, per department, and how long since each was last updated or
# routed (40-65 ms at 100,000 ideas: in the background only). Named last_update_at:
# SQLite's rows read a moment by its column's name.
OPEN_IDEAS = """
SELECT i.owner, i.department, COUNT(*) AS open_ideas,
       SUM(CASE WHEN COALESCE(i.last_update_at, i.created_at) < {{}} THEN 1 ELSE 0 END)
           AS silent_ideas,
       MAX(COALESCE(i.last_update_at, i.created_at)) AS last_update_at
FROM idea i
WHERE i.owner IS NOT NULL AND {open}
GROUP BY i.owner, i.department
"""
# Summed per owner first, then named: joined the other way round, a planner without
# statistics on owner_load reads every account.
LOADS = """
SELECT g.owner, a.name, g.open_ideas, g.silent_ideas, g.last_update_at, g.departments
FROM (
    SELECT o.owner, SUM(o.open_ideas) AS open_ideas, SUM(o.silent_ideas) AS silent_ideas,
           MAX(o.last_update_at) AS last_update_at, {joined} AS departments
    FROM owner_load o WHERE o.department IN ({departments})
    GROUP BY o.owner
) g JOIN account a ON a.id = g.owner
"""
JOINED = {
    "sqlite": "group_concat(o.department, ',')",
    "postgres": "string_agg(CAST(o.department AS TEXT), ',')",
}
# A named range's ideas of each owner in some departments (ALL: every department,
# summed ahead per owner), medians worked out.
OWNER_PERIOD = """
SELECT owner, department, ideas, answered, answered_in_week, decided, days, medians
FROM period_owner WHERE range_key = {{}} AND first_week = {{}}
  AND department IN ({departments})
"""


@dataclass
class OwnerLoad:
    id: int
    name: str
    departments: list[str] = field(default_factory=list)  # of their open ideas
    open_ideas: int = 0
    silent_ideas: int = 0  # no update or routing for SILENT_AFTER
    last_word: datetime | None = None  # on their open ideas
    times: Progress = field(default_factory=Progress)  # the period's ideas they own

    @property
    def silent(self) -> bool:
        return self.open_ideas > 0 and self.silent_ideas == self.open_ideas


async def owners(scope: Scope, period: Period, moment: datetime) -> list[OwnerLoad]:
    """The owners of ideas in the scope's departments, silent the longest first: with
    their open ideas as last counted, and how soon the ideas of the period they own
    were answered."""
    loads = await _loads(scope)
    for owner, times in (await _times(scope, period)).items():
        loads.setdefault(owner, OwnerLoad(owner, "")).times = times
    unnamed = [load.id for load in loads.values() if not load.name]
    if unnamed:  # owners of the period's ideas with none open now
        for row in await User.select(User.id, User.name).where(User.id.is_in(unnamed)):
            loads[row["id"]].name = row["name"]
    return sorted(
        loads.values(),
        key=lambda load: (load.last_word is None, load.last_word or moment, load.name),
    )


async def _loads(scope: Scope) -> dict[int, OwnerLoad]:
    departments = list(scope.departments)
    if not departments:
        return {}
    sql = LOADS.format(
        joined=JOINED["sqlite" if is_sqlite() else "postgres"], departments=_marks(departments)
    )
    loads: dict[int, OwnerLoad] = {}
    for row in await PeriodOwner.raw(sql, *departments):
        names = sorted(scope.departments[int(d)] for d in row["departments"].split(","))
        loads[row["owner"]] = OwnerLoad(
            row["owner"], row["name"], names, int(row["open_ideas"]),
            int(row["silent_ideas"]), row["last_update_at"],
        )  # fmt: skip
    return loads


async def _times(scope: Scope, period: Period) -> dict[int, Progress]:
    """How soon the period's ideas in the scope's departments were answered, per owner:
    summed ahead over every department (ALL) for an admin, or added up."""
    wanted = [ALL] if scope.everything else list(scope.departments)
    marks = _marks(wanted)
    times: dict[int, Progress] = {}
    if period.key != "custom":
        sql = OWNER_PERIOD.format(departments=marks)
        for row in await PeriodOwner.raw(sql, period.key, period.labels[0], *wanted):
            add_to(times, row["owner"], row)
        if times:
            return times
    where = f"AND department IN ({marks})"
    found, _counted = await read_running(OWNERS, period.first, period.weeks, where, *wanted)
    for (owner, _department), progress in found.items():
        if owner in times:
            times[owner].add(progress)
        else:
            times[owner] = progress
    return times


def _marks(values: list[int]) -> str:
    return ", ".join("{}" for _ in values)
