"""/insights' ideas across departments: a from → for matrix of who proposes for whom,
the share of ideas proposed outside the author's own department, and how those fare
against ideas from inside. Read from `weekly_flow` (counted by `idea_rollups`).

A cell is shown only when at least `SMALLEST_GROUP` different people wrote its ideas:
a smaller one joins its row's "Other departments", and what is still too small after
that is shown nowhere. Each weekly (or span) row keeps up to five of its authors' ids,
which is enough to tell "five or more" exactly over any weeks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ideaboard.db import is_sqlite
from ideaboard.services.insights_scope import OTHER, OTHER_NAME, SMALLEST_GROUP, Period, Scope
from ideaboard.services.spans import piece_filters
from ideaboard.tables import Idea

# A named range's cells, summed ahead (`funnel_periods`); any weeks' are summed from
# the rows of their single weeks and spans (`spans`), the author lists joined.
FLOW_PERIOD = """
SELECT source, target, ideas, votes, planned, done, authors FROM period_flow
WHERE range_key = {} AND first_week = {}
"""
FLOW_PIECES = """
SELECT source, target, SUM(ideas) AS ideas, SUM(votes) AS votes, SUM(planned) AS planned,
       SUM(done) AS done, {joined} AS authors
FROM (SELECT source, target, ideas, votes, planned, done, authors FROM weekly_flow
      WHERE {weeks}
      UNION ALL
      SELECT source, target, ideas, votes, planned, done, authors FROM span_flow
      WHERE {spans}) piece
GROUP BY source, target
"""
JOINED = {"sqlite": "group_concat(authors, ',')", "postgres": "string_agg(authors, ',')"}


@dataclass
class Tally:
    ideas: int = 0
    votes: int = 0
    planned: int = 0
    done: int = 0
    authors: set[int] = field(default_factory=set)  # who wrote them: never shown

    def add(self, other: Tally) -> None:
        self.ideas += other.ideas
        self.votes += other.votes
        self.planned += other.planned
        self.done += other.done
        self.authors |= other.authors

    @classmethod
    def of(cls, row: dict[str, Any]) -> Tally:
        """A cell's sums, and enough of its authors to tell whether there are at least
        SMALLEST_GROUP of them (the rest are not needed, and not read)."""
        authors: set[int] = set()
        for author in (row["authors"] or "").split(","):
            if author:
                authors.add(int(author))
                if len(authors) >= SMALLEST_GROUP:
                    break
        return cls(int(row["ideas"]), int(row["votes"]), int(row["planned"]),
                   int(row["done"]), authors)  # fmt: skip

    def kept_authors(self) -> str:
        """Up to SMALLEST_GROUP of its authors' ids, as the rows keep them ("3,17,42"):
        enough to tell, summed with other rows, whether at least that many wrote them."""
        return ",".join(str(author) for author in sorted(self.authors)[:SMALLEST_GROUP])

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

    @property
    def outside_share(self) -> float:
        total = self.inside.ideas + self.outside.ideas
        return self.outside.ideas / total if total else 0.0

    def cell(self, source: int, target: int) -> Tally | None:
        return self.cells.get((source, target))

    @property
    def matrix(self) -> list[tuple[str, list[tuple[int | None, int, bool]]]]:
        """The table's rows: each source's name, and for each target its ideas (None
        for none), their heat (0 to 4, against the biggest cell) and whether the ideas
        stay in their own department."""
        biggest = max((tally.ideas for tally in self.cells.values()), default=0) or 1
        return [
            (name, [
                (cell.ideas if cell else None,
                 -(-4 * cell.ideas // biggest) if cell else 0,
                 source == target != OTHER)
                for target, _ in self.targets
                for cell in [self.cells.get((source, target))]
            ])
            for source, name in self.sources
        ]  # fmt: skip

    def name(self, department: int) -> str:
        return dict(self.sources).get(department) or dict(self.targets)[department]


async def read_cells(period: Period) -> list[dict[str, Any]]:
    """The period's cells: summed ahead for a named range, else from its weeks and
    spans."""
    if period.key != "custom":
        rows = await Idea.raw(FLOW_PERIOD, period.key, period.labels[0])
        if rows:
            return rows
    return await sum_cells(period.first, period.weeks)


async def sum_cells(first: date, weeks: int) -> list[dict[str, Any]]:
    """Each cell's sums over the weeks from the Monday `first`, from their single weeks
    and spans, with their authors' lists joined."""
    in_weeks, singles, in_spans, spans = piece_filters(first, weeks)
    joined = JOINED["sqlite" if is_sqlite() else "postgres"]
    sql = FLOW_PIECES.format(joined=joined, weeks=in_weeks, spans=in_spans)
    return await Idea.raw(sql, *singles, *spans)


async def flow(scope: Scope, period: Period, headcounts: dict[int, int]) -> Flow:
    small = {d for d in scope.all_departments if headcounts.get(d, 0) < SMALLEST_GROUP}

    def fold(department: int) -> int:
        return OTHER if department in small else department

    inside, outside = Tally(), Tally()
    merged: dict[tuple[int, int], Tally] = {}
    for row in await read_cells(period):
        tally = Tally.of(row)
        (inside if row["source"] == row["target"] else outside).add(tally)
        if not scope.everything and not (
            row["source"] in scope.departments or row["target"] in scope.departments
        ):
            continue
        merged.setdefault((fold(row["source"]), fold(row["target"])), Tally()).add(tally)
    cells: dict[tuple[int, int], Tally] = {}
    for (source, target), tally in merged.items():
        if len(tally.authors) < SMALLEST_GROUP:
            target = OTHER
        cells.setdefault((source, target), Tally()).add(tally)
    cells = {key: t for key, t in cells.items() if len(t.authors) >= SMALLEST_GROUP}
    names = {**scope.all_departments, OTHER: str(OTHER_NAME)}
    used_sources = sorted({s for s, _ in cells}, key=lambda d: (d == OTHER, names[d]))
    used_targets = sorted({t for _, t in cells}, key=lambda d: (d == OTHER, names[d]))
    return Flow(
        sources=[(d, names[d]) for d in used_sources],
        targets=[(d, names[d]) for d in used_targets],
        cells=cells, inside=inside, outside=outside,
    )  # fmt: skip
