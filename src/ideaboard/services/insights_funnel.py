"""/insights' funnel and responsiveness: how far the ideas proposed in the period got,
how long they spent in each stage, how soon they had an official update and a
decision, and, as things stand today, what waits for an owner and which owners have
gone silent.

The period's figures come from `weekly_funnel` (counted by `idea_rollups`): whole-day
histograms merge into exact medians over any weeks. Today's figures read the triage's
lane indexes, which hold only open ideas.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ideaboard.db import is_sqlite
from ideaboard.services.idea_rollups import TIMED_STAGES
from ideaboard.services.insights_scope import OTHER, OTHER_NAME, Period, Scope, folded
from ideaboard.services.triage import OPEN
from ideaboard.tables import WeeklyFunnel

SILENT_AFTER = timedelta(days=30)
FUNNEL = """
SELECT department, ideas, reviewed, planned, started, done, declined, duplicate, answered,
       answered_in_week, decided, days, counted_at
FROM weekly_funnel WHERE week >= {} AND week <= {}
"""
COUNTS = ("ideas", "reviewed", "planned", "started", "done", "declined", "duplicate",
          "answered", "answered_in_week", "decided")  # fmt: skip
# Open ideas past their department's threshold with nobody to answer for them, counted
# from the Needs owner lane's index (its expression, as the index holds it).
WAITING = """
SELECT i.department, COUNT(*) AS waiting FROM idea i {index}
WHERE i.department IN ({departments}) AND i.owner IS NULL AND {open}
  AND (CASE WHEN i.needs_owner_since IS NULL THEN 1 ELSE 0 END) = 0
GROUP BY i.department
"""
# Each owner's open ideas, per department, and how long since each was last updated or routed (named
# last_update_at: SQLite's rows read a moment by its column's name).
OWNERS = """
SELECT i.owner, a.name, i.department, COUNT(*) AS open_ideas,
       SUM(CASE WHEN COALESCE(i.last_update_at, i.created_at) < {{}} THEN 1 ELSE 0 END)
           AS silent_ideas,
       MAX(COALESCE(i.last_update_at, i.created_at)) AS last_update_at
FROM idea i {index} JOIN account a ON a.id = i.owner
WHERE i.owner IS NOT NULL AND {open}
GROUP BY i.owner, a.name, i.department
"""


def median(histogram: Counter[int]) -> float | None:
    """The median of whole days counted as {days: how many}."""
    count = sum(histogram.values())
    if not count:
        return None
    wanted = {(count - 1) // 2, count // 2}
    found, seen = [], 0
    for days in sorted(histogram):
        ahead = seen + histogram[days]
        found += [days for position in sorted(wanted) if seen <= position < ahead]
        seen = ahead
    return sum(found) / len(found)


@dataclass
class Progress:
    """The ideas of some departments and weeks: how far they got, and how soon."""

    ideas: int = 0
    reviewed: int = 0
    planned: int = 0
    started: int = 0
    done: int = 0
    declined: int = 0
    duplicate: int = 0
    answered: int = 0
    answered_in_week: int = 0
    decided: int = 0
    days: dict[str, Counter[int]] = field(default_factory=dict)

    def add(self, row: dict[str, Any] | Progress) -> None:
        get = row.get if isinstance(row, dict) else row.__dict__.get
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + int(get(name) or 0))
        days = json.loads(row["days"]) if isinstance(row, dict) else row.days
        for name, histogram in days.items():
            counter = self.days.setdefault(name, Counter())
            for value, count in histogram.items():
                counter[int(value)] += count

    @property
    def stages(self) -> list[tuple[str, int]]:
        """The funnel: each stage with the ideas that reached it or went further."""
        return [
            ("new", self.ideas),
            ("under_review", self.reviewed),
            ("planned", self.planned),
            ("in_progress", self.started),
            ("done", self.done),
        ]

    def conversion(self, stage: str) -> float | None:
        """Of the ideas that reached the stage before, the share that reached this one."""
        counts = dict(self.stages)
        names = [name for name, _ in self.stages]
        position = names.index(stage)
        before = counts[names[position - 1]] if position else 0
        return counts[stage] / before if before else None

    def median_days(self, name: str) -> float | None:
        """Median whole days: in a stage (`TIMED_STAGES`, of the ideas that left it), to
        the first official update ("first_update") or to a decision ("decision")."""
        return median(self.days.get(name, Counter()))

    @property
    def timed_stages(self) -> tuple[str, ...]:
        return TIMED_STAGES

    @property
    def answered_share(self) -> float:
        return self.answered / self.ideas if self.ideas else 0.0


@dataclass(frozen=True)
class DepartmentProgress:
    id: int  # OTHER for the folded ones
    name: str
    progress: Progress
    waiting: int  # open ideas past the threshold without an owner, today


@dataclass(frozen=True)
class OwnerLoad:
    id: int
    name: str
    departments: list[str]  # the departments of their open ideas
    open_ideas: int
    silent_ideas: int  # no update or routing for SILENT_AFTER
    last_word: datetime

    @property
    def silent(self) -> bool:
        return self.silent_ideas == self.open_ideas


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
    rows = await WeeklyFunnel.raw(FUNNEL, period.labels[0], period.labels[-1])
    by_department: dict[int, Progress] = {}
    for row in rows:
        if row["department"] in scope.departments:
            by_department.setdefault(row["department"], Progress()).add(row)
    waiting = await _waiting(scope)
    shown, total, other, other_waiting = [], Progress(), Progress(), 0
    for department, name in scope.departments.items():
        progress = by_department.get(department, Progress())
        total.add(progress)
        if department in small:
            other.add(progress)
            other_waiting += waiting.get(department, 0)
        else:
            shown.append(DepartmentProgress(department, name, progress, waiting.get(department, 0)))
    if other.ideas or other_waiting:
        shown.append(DepartmentProgress(OTHER, str(OTHER_NAME), other, other_waiting))
    everything = DepartmentProgress(OTHER, "", total, sum(waiting.values()))
    counted = max((row["counted_at"] for row in rows), default=None)
    return Funnel(everything, shown, await _owners(scope, moment), counted)


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


async def _owners(scope: Scope, moment: datetime) -> list[OwnerLoad]:
    index = "INDEXED BY idea_lane_mine" if is_sqlite() else ""
    rows = await WeeklyFunnel.raw(OWNERS.format(index=index, open=OPEN), moment - SILENT_AFTER)
    loads: dict[int, OwnerLoad] = {}
    for row in rows:
        if row["department"] not in scope.departments:
            continue
        last_word = row["last_update_at"]
        load = loads.get(row["owner"]) or OwnerLoad(row["owner"], row["name"], [], 0, 0, last_word)
        loads[row["owner"]] = OwnerLoad(
            load.id, load.name, sorted([*load.departments, scope.departments[row["department"]]]),
            load.open_ideas + row["open_ideas"], load.silent_ideas + row["silent_ideas"],
            max(last_word, load.last_word),
        )  # fmt: skip
    return sorted(loads.values(), key=lambda load: (load.last_word, load.name))
