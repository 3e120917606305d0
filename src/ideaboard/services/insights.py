"""/insights: is the board working, and do ideas cross the company's silos?

Admins see every department; a department's managers see theirs, beside the company's
totals. Every section reads what was counted ahead, week by week, so a page reads a few
hundred rows whatever the board's size: participation here (`weekly_participation`),
the flow between departments (`insights_flow`), the funnel and responsiveness
(`insights_funnel`), the contributors (`contributors`). Nobody can be singled out: a
department with fewer than `SMALLEST_GROUP` active people is folded into "Other
departments", and so is a from → for cell with fewer than that many different authors.
Anonymous ideas count like any other, and never with a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.domain import Actor, Status
from ideaboard.i18n import gettext
from ideaboard.services.clock import now
from ideaboard.services.contributors import ContributorRow, top_contributors
from ideaboard.services.insight_rollups import monday_of
from ideaboard.services.insights_flow import Flow, flow
from ideaboard.services.insights_funnel import Funnel, funnel
from ideaboard.services.insights_scope import (
    OTHER,
    OTHER_NAME,
    RANGE_LABELS,
    SMALLEST_GROUP,
    Period,
    Scope,
    folded,
    headcounts,
    insights_scope,
    period_for,
)
from ideaboard.services.organisation import get_organisation
from ideaboard.tables import WeeklyParticipation

__all__ = ["OTHER", "RANGE_LABELS", "SMALLEST_GROUP", "InsightsPage", "get_insights"]


# --- participation -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeekShare:
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
    weeks: list[WeekShare]
    newcomers: int

    @property
    def people(self) -> int:
        return self.weeks[-1].people if self.weeks else 0

    @property
    def first_timers(self) -> int:
        return sum(week.first_timers for week in self.weeks)

    @property
    def average_share(self) -> float:
        people = sum(w.people for w in self.weeks)
        return sum(w.participants for w in self.weeks) / people if people else 0.0

    @property
    def quiet(self) -> bool:
        """Nobody took part in the last four weeks of the range."""
        recent = self.weeks[-4:]
        return (
            bool(recent)
            and self.people >= SMALLEST_GROUP
            and not any(w.participants for w in recent)
        )


@dataclass(frozen=True)
class Participation:
    weeks: list[str]
    company: DepartmentParticipation
    departments: list[DepartmentParticipation]
    counted_at: datetime | None

    @property
    def quiet(self) -> list[DepartmentParticipation]:
        return [d for d in self.departments if d.id != OTHER and d.quiet]


# A range of the unique (week, department) index: ISO week labels sort as the weeks do.
WEEKS = """
SELECT department, week, active_people, participants, proposers, voters, commenters,
       newcomers, first_timers
FROM weekly_participation WHERE week >= {} AND week <= {}
"""
SUMMED = ("active_people", "participants", "proposers", "voters", "commenters", "first_timers")
COUNTED = "SELECT MAX(counted_at) AS counted_at FROM weekly_participation WHERE week = {}"


async def participation(scope: Scope, period: Period, headcounts: dict[int, int]) -> Participation:
    labels = period.labels
    rows = await WeeklyParticipation.raw(WEEKS, labels[0], labels[-1])
    by_department: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_department.setdefault(row["department"], {})[row["week"]] = row
    small = folded(scope, headcounts)
    last = await WeeklyParticipation.raw(COUNTED, labels[-1])
    counted = last[0]["counted_at"] if last else None

    def weeks_of(departments: set[int]) -> list[WeekShare]:
        sums = {label: [0] * len(SUMMED) for label in labels}
        for department in departments:
            for label, cell in by_department.get(department, {}).items():
                total = sums[label]
                for n, name in enumerate(SUMMED):
                    total[n] += cell[name]
        return [WeekShare(label, *sums[label]) for label in labels]

    def newcomers_of(departments: set[int]) -> int:
        return sum(
            cell["newcomers"] for d in departments for cell in by_department.get(d, {}).values()
        )

    every = set(scope.all_departments)
    company = DepartmentParticipation(
        OTHER, str(gettext("The whole company")), weeks_of(every), newcomers_of(every)
    )
    shown = [
        DepartmentParticipation(d, name, weeks_of({d}), newcomers_of({d}))
        for d, name in scope.departments.items()
        if d not in small
    ]
    too_small = {d for d in scope.departments if d in small}
    if too_small:
        shown.append(
            DepartmentParticipation(
                OTHER, str(OTHER_NAME), weeks_of(too_small), newcomers_of(too_small)
            )
        )
    return Participation(labels, company, shown, counted)


# --- the page -------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightsPage:
    period: Period
    scope: Scope  # narrowed to the department filter
    department_id: int | None  # the filter, None for all in scope
    participation: Participation
    flow: Flow
    funnel: Funnel
    contributors: list[ContributorRow]  # most shipped first, all time
    choices: dict[int, str]  # the departments the filter offers
    everything: bool  # an admin's: every department
    asked: dict[str, str]  # the dates asked for, as given


async def get_insights(
    actor: Actor, range_key: str, department_id: int | None, start: str = "", end: str = ""
) -> InsightsPage:
    scope = whole = await insights_scope(actor)
    organisation = await get_organisation()
    moment = now()
    period = period_for(range_key, monday_of(moment, organisation.digest.zone), start, end)
    if department_id in scope.departments:
        assert department_id is not None
        scope = scope.narrowed(department_id)
    else:
        department_id = None
    people = await headcounts()
    return InsightsPage(
        period, scope, department_id,
        await participation(scope, period, people), await flow(scope, period, people),
        await funnel(scope, period, people, moment), await top_contributors(scope),
        whole.departments, whole.everything,
        {"start": start, "end": end},
    )  # fmt: skip


def stage_label(stage: str) -> str:
    """A funnel stage's name in the reader's language."""
    return Status(stage).label
