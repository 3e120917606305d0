"""/insights' funnel and responsiveness: how far the ideas proposed in the period got,
how long they spent in each stage, how soon they had an official update and a
decision, and, as things stand today, what waits for an owner and which owners have
gone silent.

The period's figures come from `period_funnel` for the named ranges (a row per
department, medians worked out: `funnel_periods`), or else from the running sums of
`weekly_funnel` (`running`), whose whole-day histograms subtract into exact medians
over any weeks. Today's figures read indexes that hold only open ideas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ideaboard.db import is_sqlite
from ideaboard.services.insights_owners import OwnerLoad, owners
from ideaboard.services.insights_scope import (
    ALL,
    OTHER,
    OTHER_NAME,
    Period,
    Scope,
    folded,
)
from ideaboard.services.progress import Progress, add_to
from ideaboard.services.running import FUNNEL, read_running
from ideaboard.services.triage import OPEN
from ideaboard.tables import WeeklyFunnel

FUNNEL_PERIOD = """
SELECT department, ideas, reviewed, planned, started, done, declined, duplicate, answered,
       answered_in_week, decided, days, medians, counted_at
FROM period_funnel WHERE range_key = {} AND first_week = {}
"""
# Open ideas past their department's threshold with nobody to answer for them, counted
# from the Needs owner lane's index (its expression, as the index holds it).
WAITING = """
SELECT i.department, COUNT(*) AS waiting FROM idea i {index}
WHERE i.department IN ({departments}) AND i.owner IS NULL AND {open}
  AND (CASE WHEN i.needs_owner_since IS NULL THEN 1 ELSE 0 END) = 0
GROUP BY i.department
"""


@dataclass(frozen=True)
class DepartmentProgress:
    id: int  # OTHER for the folded ones
    name: str
    progress: Progress
    waiting: int  # open ideas past the threshold without an owner, today


@dataclass(frozen=True)
class Funnel:
    total: DepartmentProgress  # everything in scope
    departments: list[DepartmentProgress]
    owners: list[OwnerLoad]  # silent the longest first
    counted_at: datetime | None

    @property
    def silent_owners(self) -> list[OwnerLoad]:
        return [owner for owner in self.owners if owner.silent]


async def funnel(
    scope: Scope, period: Period, headcount: dict[int, int], moment: datetime
) -> Funnel:
    small = folded(scope, headcount)
    by_department, counted = await read_progress(period)
    waiting = await _waiting(scope)
    shown, total, other, other_waiting = [], Progress(), Progress(), 0
    for department, name in scope.departments.items():
        progress = by_department.get(department, Progress())
        if not scope.everything:
            total.add(progress)
        if department in small:
            other.add(progress)
            other_waiting += waiting.get(department, 0)
        else:
            shown.append(DepartmentProgress(department, name, progress, waiting.get(department, 0)))
    if other.ideas or other_waiting:
        shown.append(DepartmentProgress(OTHER, str(OTHER_NAME), other, other_waiting))
    if scope.everything:
        total = by_department.get(ALL) or _sum(by_department)
    everything = DepartmentProgress(OTHER, "", total, sum(waiting.values()))
    return Funnel(everything, shown, await owners(scope, period, moment), counted)


async def read_progress(period: Period) -> tuple[dict[int, Progress], datetime | None]:
    """Each department's progress over the period, and ALL's, and when it was counted:
    summed ahead for a named range, else from the running sums (`running`)."""
    if period.key != "custom":
        rows = await WeeklyFunnel.raw(FUNNEL_PERIOD, period.key, period.labels[0])
        if rows:
            by_department: dict[int, Progress] = {}
            for row in rows:
                add_to(by_department, row["department"], row)
            return by_department, max(row["counted_at"] for row in rows)
    found, counted = await read_running(FUNNEL, period.first, period.weeks)
    return {department: progress for (department,), progress in found.items()}, counted


def _sum(by_department: dict[int, Progress]) -> Progress:
    total = Progress()
    for progress in by_department.values():
        total.add(progress)
    return total


async def _waiting(scope: Scope) -> dict[int, int]:
    return await waiting_for_owner(list(scope.departments))


async def waiting_for_owner(departments: list[int]) -> dict[int, int]:
    """Open ideas past their department's threshold without an owner, per department."""
    if not departments:
        return {}
    index = "INDEXED BY idea_lane_needs_owner" if is_sqlite() else ""
    marks = ", ".join("{}" for _ in departments)
    sql = WAITING.format(index=index, open=OPEN, departments=marks)
    return {r["department"]: r["waiting"] for r in await WeeklyFunnel.raw(sql, *departments)}
