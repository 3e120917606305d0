"""/insights: is the board working, and do ideas cross the company's silos?

Admins see every department; a department's managers see theirs, beside the company's
totals. Participation reads the weekly counts kept by `insight_rollups`; the flow of
ideas between departments reads the ideas of the range. Nobody can be singled out: a
department with fewer than `SMALLEST_GROUP` active people is folded into "Other
departments", and so is a from → for cell with fewer than that many different authors.
Anonymous ideas count like any other, and never with a name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ideaboard.domain import Actor
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden
from ideaboard.services.insight_rollups import monday_of
from ideaboard.services.organisation import get_organisation
from ideaboard.tables import Department, DepartmentManager, Idea, WeeklyParticipation
from ideaboard.weeks import week_of

SMALLEST_GROUP = 5
OTHER = 0  # the folded departments' id in every cut
OTHER_NAME = lazy_gettext("Other departments")
RANGES = {"4w": 4, "quarter": 13, "year": 52}
RANGE_LABELS = {
    "4w": lazy_gettext("Last 4 weeks"),
    "quarter": lazy_gettext("Last quarter (13 weeks)"),
    "year": lazy_gettext("Last year (52 weeks)"),
}
REACHED_PLANNED = ("planned", "in_progress", "done")


@dataclass(frozen=True)
class Period:
    key: str  # a RANGES key
    first: date  # the Monday of its first week
    weeks: int

    @property
    def mondays(self) -> list[date]:
        return [self.first + timedelta(days=7 * n) for n in range(self.weeks)]

    def bounds(self, zone: Any) -> tuple[datetime, datetime]:
        start = datetime.combine(self.first, time(), tzinfo=zone).astimezone(UTC)
        end_day = self.first + timedelta(days=7 * self.weeks)
        return start, datetime.combine(end_day, time(), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Scope:
    """What this reader may see: every department (admins) or the ones they manage."""

    everything: bool
    departments: dict[int, str]  # id → name, of those in scope
    all_departments: dict[int, str]


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


# --- participation -----------------------------------------------------------------------


@dataclass(frozen=True)
class WeekShare:
    week: str
    people: int  # active people
    participants: int
    proposers: int
    voters: int
    commenters: int

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


async def participation(scope: Scope, period: Period, headcounts: dict[int, int]) -> Participation:
    labels = [week_of(datetime.combine(monday, time())) for monday in period.mondays]
    rows = await WeeklyParticipation.select().where(WeeklyParticipation.week.is_in(labels))
    by_department: dict[int, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_department.setdefault(row["department"], {})[row["week"]] = row
    small = {dep for dep in scope.all_departments if headcounts.get(dep, 0) < SMALLEST_GROUP}
    counted = max((row["counted_at"] for row in rows), default=None)

    def weeks_of(departments: set[int]) -> list[WeekShare]:
        shares = []
        for label in labels:
            cells = [by_department.get(d, {}).get(label) for d in departments]
            present = [c for c in cells if c]
            shares.append(
                WeekShare(
                    label,
                    sum(c["active_people"] for c in present),
                    sum(c["participants"] for c in present),
                    sum(c["proposers"] for c in present),
                    sum(c["voters"] for c in present),
                    sum(c["commenters"] for c in present),
                )
            )
        return shares

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
    folded = {d for d in scope.departments if d in small}
    if folded:
        shown.append(
            DepartmentParticipation(OTHER, str(OTHER_NAME), weeks_of(folded), newcomers_of(folded))
        )
    return Participation(labels, company, shown, counted)


# --- the flow of ideas between departments ------------------------------------------------

IN_RANGE = """
FROM idea
WHERE created_at >= {} AND created_at < {} AND approval = 'approved' AND NOT hidden
  AND merged_into IS NULL
"""
FLOW = f"""
SELECT author_department AS source, department AS target, COUNT(*) AS ideas,
       SUM(vote_count) AS votes,
       SUM(CASE WHEN status IN ('planned', 'in_progress', 'done') THEN 1 ELSE 0 END) AS planned,
       SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END) AS done
{IN_RANGE}
GROUP BY author_department, department
"""
# Who wrote the ideas of each cell: a cell (or a fold of cells) is shown only when at
# least SMALLEST_GROUP different people are behind it.
AUTHORS = f"""
SELECT author_department AS source, department AS target, author
{IN_RANGE}
GROUP BY author_department, department, author
"""


@dataclass
class Tally:
    ideas: int = 0
    votes: int = 0
    planned: int = 0
    done: int = 0
    authors: set[int] = field(default_factory=set)  # who wrote them: never shown

    def add(self, row: dict[str, Any] | Tally) -> None:
        get = row.get if isinstance(row, dict) else row.__dict__.get
        for name in ("ideas", "votes", "planned", "done"):
            setattr(self, name, getattr(self, name) + int(get(name) or 0))
        if isinstance(row, Tally):
            self.authors |= row.authors

    @property
    def votes_per_idea(self) -> float:
        return self.votes / self.ideas if self.ideas else 0.0

    @property
    def planned_share(self) -> float:
        return self.planned / self.ideas if self.ideas else 0.0

    @property
    def done_share(self) -> float:
        return self.done / self.ideas if self.ideas else 0.0


@dataclass(frozen=True)
class Flow:
    sources: list[tuple[int, str]]  # rows: where ideas come from
    targets: list[tuple[int, str]]  # columns: whom they are for
    cells: dict[tuple[int, int], Tally]  # (source, target) → tally; OTHER folds
    inside: Tally
    outside: Tally
    hidden_cells: int = 0  # cells folded for having too few authors

    @property
    def outside_share(self) -> float:
        total = self.inside.ideas + self.outside.ideas
        return self.outside.ideas / total if total else 0.0

    def cell(self, source: int, target: int) -> Tally | None:
        return self.cells.get((source, target))


async def flow(scope: Scope, period: Period, zone: Any, headcounts: dict[int, int]) -> Flow:
    start, end = period.bounds(zone)
    small = {d for d in scope.all_departments if headcounts.get(d, 0) < SMALLEST_GROUP}
    authors: dict[tuple[int, int], set[int]] = {}
    for row in await Idea.raw(AUTHORS, start, end):
        authors.setdefault((row["source"], row["target"]), set()).add(row["author"])

    def fold(department: int) -> int:
        return OTHER if department in small else department

    inside, outside = Tally(), Tally()
    merged: dict[tuple[int, int], Tally] = {}
    for row in await Idea.raw(FLOW, start, end):
        (inside if row["source"] == row["target"] else outside).add(row)
        if not scope.everything and not (
            row["source"] in scope.departments or row["target"] in scope.departments
        ):
            continue
        tally = Tally(authors=set(authors.get((row["source"], row["target"]), set())))
        tally.add(row)
        merged.setdefault((fold(row["source"]), fold(row["target"])), Tally()).add(tally)
    # A cell of too few authors joins its row's "Other departments"; what is still too
    # small after that is shown nowhere.
    cells: dict[tuple[int, int], Tally] = {}
    hidden = 0
    for (source, target), tally in merged.items():
        if len(tally.authors) < SMALLEST_GROUP and target != OTHER:
            target, hidden = OTHER, hidden + 1
        cells.setdefault((source, target), Tally()).add(tally)
    cells = {key: t for key, t in cells.items() if len(t.authors) >= SMALLEST_GROUP}
    names = {**scope.all_departments, OTHER: str(OTHER_NAME)}
    used_sources = sorted({s for s, _ in cells}, key=lambda d: (d == OTHER, names[d]))
    used_targets = sorted({t for _, t in cells}, key=lambda d: (d == OTHER, names[d]))
    return Flow(
        sources=[(d, names[d]) for d in used_sources],
        targets=[(d, names[d]) for d in used_targets],
        cells=cells, inside=inside, outside=outside, hidden_cells=hidden,
    )  # fmt: skip


# --- the page -------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightsPage:
    period: Period
    scope: Scope  # narrowed to the department filter
    department_id: int | None  # the filter, None for all in scope
    participation: Participation
    flow: Flow
    choices: dict[int, str]  # the departments the filter offers
    everything: bool  # an admin's: every department


def period_for(key: str, today: date) -> Period:
    key = key if key in RANGES else "quarter"
    weeks = RANGES[key]
    last_monday = today - timedelta(days=today.weekday())
    return Period(key, last_monday - timedelta(days=7 * (weeks - 1)), weeks)


ACTIVE_PEOPLE = (
    "SELECT department, COUNT(*) AS people FROM account WHERE active GROUP BY department"
)


async def headcounts() -> dict[int, int]:
    """Each department's active people today: who a cut could single out."""
    return {row["department"]: row["people"] for row in await Idea.raw(ACTIVE_PEOPLE)}


async def get_insights(actor: Actor, range_key: str, department_id: int | None) -> InsightsPage:
    scope = whole = await insights_scope(actor)
    organisation = await get_organisation()
    zone = organisation.digest.zone
    period = period_for(range_key, monday_of(now(), zone))
    if department_id in scope.departments:
        assert department_id is not None
        scope = Scope(
            False, {department_id: scope.departments[department_id]}, scope.all_departments
        )
    else:
        department_id = None
    people = await headcounts()
    return InsightsPage(
        period, scope, department_id,
        await participation(scope, period, people), await flow(scope, period, zone, people),
        whole.departments, whole.everything,
    )  # fmt: skip
