"""What an /insights page covers: whose departments (its `Scope`) and which weeks (its
`Period`), and the rule that keeps small groups from being singled out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ideaboard.domain import Actor
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.services.errors import Forbidden
from ideaboard.tables import Department, DepartmentManager, Idea
from ideaboard.weeks import week_of

# A department, or a cell of a table, with fewer people than this is counted with the
# others too small, under "Other departments".
SMALLEST_GROUP = 5
OTHER = 0  # the folded departments' id in every cut
ALL = 0  # in rows counted ahead: every department together
OTHER_NAME = lazy_gettext("Other departments")
RANGES = {"4w": 4, "quarter": 13, "year": 52}
RANGE_LABELS = {
    "4w": lazy_gettext("Last 4 weeks"),
    "quarter": lazy_gettext("Last quarter (13 weeks)"),
    "year": lazy_gettext("Last year (52 weeks)"),
    "custom": lazy_gettext("Dates of my choice"),
}
DEFAULT_RANGE = "quarter"
LONGEST_CUSTOM_WEEKS = 5 * 53


@dataclass(frozen=True)
class Period:
    """Whole weeks, Monday to Sunday in the organisation's time zone."""

    key: str  # a RANGES key, or "custom"
    first: date  # the Monday of its first week
    weeks: int
    error: str = ""  # why the dates asked for were not taken

    @property
    def mondays(self) -> list[date]:
        return [self.first + timedelta(days=7 * n) for n in range(self.weeks)]

    @property
    def labels(self) -> list[str]:
        return [week_of(monday) for monday in self.mondays]

    @property
    def last_day(self) -> date:
        return self.first + timedelta(days=7 * self.weeks - 1)

    def bounds(self, zone: Any) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(), tzinfo=zone).astimezone(UTC)
        end_day = self.first + timedelta(days=7 * self.weeks)
        return start, datetime.combine(end_day, time(), tzinfo=zone).astimezone(UTC)


def period_for(key: str, this_monday: date, start: str = "", end: str = "") -> Period:
    """The weeks asked for: a named range ending with this week, or the weeks holding
    the days `start` to `end` (ISO dates, as a date field sends them)."""
    if key == "custom":
        return _custom(this_monday, start.strip(), end.strip())
    key = key if key in RANGES else DEFAULT_RANGE
    weeks = RANGES[key]
    return Period(key, this_monday - timedelta(days=7 * (weeks - 1)), weeks)


def _custom(this_monday: date, start: str, end: str) -> Period:
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        return _fallback(this_monday, gettext("Give both dates, like 2026-09-01."))
    if first > last:
        return _fallback(this_monday, gettext("The first date comes after the last."))
    first_monday = first - timedelta(days=first.weekday())
    last_monday = min(last - timedelta(days=last.weekday()), this_monday)
    if first_monday > this_monday:
        return _fallback(this_monday, gettext("Those dates have not come yet."))
    weeks = (last_monday - first_monday).days // 7 + 1
    if weeks > LONGEST_CUSTOM_WEEKS:
        return _fallback(this_monday, gettext("Choose at most five years."))
    return Period("custom", first_monday, weeks)


def _fallback(this_monday: date, error: str) -> Period:
    default = period_for(DEFAULT_RANGE, this_monday)
    return Period(default.key, default.first, default.weeks, error)


@dataclass(frozen=True)
class Scope:
    """What this reader may see: every department (admins) or the ones they manage."""

    everything: bool
    departments: dict[int, str]  # id → name, of those in scope
    all_departments: dict[int, str]

    def narrowed(self, department_id: int) -> Scope:
        return Scope(False, {department_id: self.departments[department_id]}, self.all_departments)


async def insights_scope(actor: Actor) -> Scope:
    rows = await Department.select(Department.id, Department.name).order_by(Department.name)
    every = {row["id"]: row["name"] for row in rows}
    if actor.is_admin:
        return Scope(True, every, every)
    managed = {
        row["department"]
        for row in await DepartmentManager.select(DepartmentManager.department).where(
            DepartmentManager.manager == actor.id
        )
    }
    if not managed:
        raise Forbidden(gettext("Insights are for admins and for departments' managers."))
    return Scope(False, {i: n for i, n in every.items() if i in managed}, every)


ACTIVE_PEOPLE = (
    "SELECT department, COUNT(*) AS people FROM account WHERE active GROUP BY department"
)
# As the last count of this week found them (a few minutes old at most).
COUNTED_PEOPLE = """
SELECT department, active_people AS people FROM weekly_participation
WHERE week = (SELECT MAX(week) FROM weekly_participation)
"""


async def headcounts() -> dict[int, int]:
    """Each department's active people: who a cut could single out. Read from this
    week's count; counted from the people only before any count."""
    rows = await Idea.raw(COUNTED_PEOPLE) or await Idea.raw(ACTIVE_PEOPLE)
    return {row["department"]: row["people"] for row in rows}


def folded(scope: Scope, headcount: dict[int, int]) -> set[int]:
    """The departments too small to be shown on their own."""
    return {d for d in scope.all_departments if headcount.get(d, 0) < SMALLEST_GROUP}
