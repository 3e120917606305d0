"""/insights' participation: the share of each department's active people who proposed,
voted or commented, week by week; its newcomers and first-timers; the departments
gone quiet. Read from `weekly_participation` (counted by `insight_rollups`).

Each department's figures over the period are summed by the database, so a five-year
range costs what a quarter does; week by week, only the lines the chart draws are read
(the company's and the first departments'), or every department's for the CSV.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ideaboard.i18n import gettext
from ideaboard.services.insights_scope import (
    OTHER,
    OTHER_NAME,
    SMALLEST_GROUP,
    Period,
    Scope,
    folded,
)
from ideaboard.tables import WeeklyParticipation

CHARTED = 5  # departments drawn beside the company's line

# Each department's weeks summed: person-weeks, participants, newcomers, first-timers,
# and who took part in the last four weeks. ISO week labels sort as the weeks do.
SUMS = """
SELECT department, SUM(active_people) AS person_weeks, SUM(participants) AS participants,
       SUM(newcomers) AS newcomers, SUM(first_timers) AS first_timers,
       SUM(CASE WHEN week >= {} THEN participants ELSE 0 END) AS recent
FROM weekly_participation WHERE week >= {} AND week <= {}
GROUP BY department
"""
WEEK_ROWS = """
SELECT department, week, active_people, participants, proposers, voters, commenters,
       first_timers
FROM weekly_participation WHERE week >= {{}} AND week <= {{}} {only}
"""
# Every department's together, week by week (each week has a row for each).
COMPANY = """
SELECT 0 AS department, week, SUM(active_people) AS active_people,
       SUM(participants) AS participants, SUM(proposers) AS proposers,
       SUM(voters) AS voters, SUM(commenters) AS commenters,
       SUM(first_timers) AS first_timers
FROM weekly_participation WHERE week >= {} AND week <= {} GROUP BY week
"""
COUNTED = "SELECT MAX(counted_at) AS counted_at FROM weekly_participation WHERE week = {}"
FIGURES = ("active_people", "participants", "proposers", "voters", "commenters",
           "first_timers")  # fmt: skip


class WeekShare(NamedTuple):  # a tuple: a five-year CSV makes thousands
    week: str
    people: int  # active people
    participants: int
    proposers: int
    voters: int
    commenters: int
    first_timers: int  # who took part for the first time ever

    @property
    def share(self) -> float:
        return self.participants / self.people if self.people else 0.0


@dataclass(frozen=True)
class DepartmentParticipation:
    id: int  # OTHER for the folded ones
    name: str
    last: WeekShare  # the period's last week
    person_weeks: int  # active people, summed over the weeks
    participant_weeks: int  # participants, summed over the weeks
    recent: int  # participants in the last four weeks
    newcomers: int
    first_timers: int  # who took part for the first time ever
    weeks: list[WeekShare] = field(default_factory=list)  # when read: chart, CSV

    @property
    def people(self) -> int:
        return self.last.people

    @property
    def average_share(self) -> float:
        return self.participant_weeks / self.person_weeks if self.person_weeks else 0.0

    @property
    def shares(self) -> list[float]:
        """Each week's share of people taking part: the chart's line."""
        return [week.share for week in self.weeks]

    @property
    def quiet(self) -> bool:
        """Nobody took part in the last four weeks of the range."""
        return self.people >= SMALLEST_GROUP and not self.recent


@dataclass(frozen=True)
class Participation:
    weeks: list[str]
    company: DepartmentParticipation
    departments: list[DepartmentParticipation]
    counted_at: datetime | None

    @property
    def quiet(self) -> list[DepartmentParticipation]:
        return [d for d in self.departments if d.id != OTHER and d.quiet]


async def participation(
    scope: Scope, period: Period, headcounts: dict[int, int], every_week: bool = False
) -> Participation:
    """The period's participation; week by week for the charted lines, or for every
    department when `every_week`."""
    labels = period.labels
    first, last = labels[0], labels[-1]
    sums = {
        row["department"]: row
        for row in await WeeklyParticipation.raw(SUMS, labels[-4:][0], first, last)
    }
    small = folded(scope, headcounts)
    groups = [({d}, d, name) for d, name in scope.departments.items() if d not in small]
    if too_small := {d for d in scope.departments if d in small}:
        groups.append((too_small, OTHER, str(OTHER_NAME)))
    charted = groups if every_week else groups[:CHARTED]
    wanted = sorted({d for members, _id, _name in charted for d in members})
    only = "AND department IN (" + ", ".join("{}" for _ in wanted) + ")" if wanted else ""
    week_rows = await WeeklyParticipation.raw(WEEK_ROWS.format(only=only), first, last, *wanted)
    week_rows += await WeeklyParticipation.raw(WEEK_ROWS.format(only=""), last, last)
    week_rows += await WeeklyParticipation.raw(COMPANY, first, last)
    by_week: dict[int, dict[str, dict[str, Any]]] = {}
    for row in week_rows:
        by_week.setdefault(row["department"], {})[row["week"]] = row
    counted = await WeeklyParticipation.raw(COUNTED, last)

    def summed(members: set[int], id_: int, name: str, weekly: bool) -> DepartmentParticipation:
        weeks = [_week(label, members, by_week) for label in labels] if weekly else []
        last_week = weeks[-1] if weeks else _week(last, members, by_week)
        return _department(id_, name, last_week, members, sums, weeks)

    company = _department(
        OTHER, str(gettext("The whole company")), _week(last, {0}, by_week), set(sums), sums,
        [_week(label, {0}, by_week) for label in labels],
    )  # fmt: skip
    shown = [summed(members, id_, name, (members, id_, name) in charted)
             for members, id_, name in groups]  # fmt: skip
    return Participation(labels, company, shown, counted[0]["counted_at"] if counted else None)


def _department(
    id_: int,
    name: str,
    last: WeekShare,
    members: set[int],
    sums: dict[int, dict[str, Any]],
    weeks: list[WeekShare],
) -> DepartmentParticipation:
    def total(column: str) -> int:
        return sum(int(sums[d][column] or 0) for d in members if d in sums)

    return DepartmentParticipation(
        id_, name, last, person_weeks=total("person_weeks"),
        participant_weeks=total("participants"), recent=total("recent"),
        newcomers=total("newcomers"), first_timers=total("first_timers"), weeks=weeks,
    )  # fmt: skip


def _week(label: str, members: set[int], by_week: dict[int, dict[str, Any]]) -> WeekShare:
    """One week of some departments, summed; nothing counted is nobody."""
    rows = [row for d in members if (row := by_week.get(d, {}).get(label)) is not None]
    if not rows:
        return WeekShare(label, 0, 0, 0, 0, 0, 0)
    if len(rows) == 1:  # as counted
        row = rows[0]
        return WeekShare(
            label, row["active_people"], row["participants"], row["proposers"],
            row["voters"], row["commenters"], row["first_timers"],
        )  # fmt: skip
    return WeekShare(label, *(sum(int(row[name] or 0) for row in rows) for name in FIGURES))
