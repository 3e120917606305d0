"""Summing the spans of `spans` again when their weeks are counted: each from the four
spans (or weeks) inside it, smallest first, per from → for cell (`span_flow`, with up
to five of its authors' ids, as `weekly_flow` keeps them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.services.insights_flow import Tally
from ideaboard.services.spans import WEEK, holding, label
from ideaboard.tables_insights import SpanFlow

# A span's parts: the rows of the four spans (or weeks) inside it.
FLOW_PARTS = {
    "weekly": """
        SELECT source, target, ideas, votes, planned, done, authors
        FROM weekly_flow WHERE week IN ({weeks})""",
    "spans": """
        SELECT source, target, ideas, votes, planned, done, authors
        FROM span_flow WHERE size = {{}} AND first_week IN ({weeks})""",
}
FLOW_INSERT = """
INSERT INTO span_flow (size, first_week, source, target, ideas, votes, planned, done,
    authors, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})
"""


async def count_spans(weeks: Iterable[date]) -> None:
    """Sum again every span holding one of these weeks (just counted)."""
    moment = now()
    for size, start in holding(weeks):
        inner = size // 4
        parts = [label(start + inner * n) for n in range(4)]
        marks = ", ".join("{}" for _ in parts)
        kind = "weekly" if inner == WEEK else "spans"
        head = [] if inner == WEEK else [inner]
        cells: dict[tuple[int, int], Tally] = {}
        for row in await SpanFlow.raw(FLOW_PARTS[kind].format(weeks=marks), *head, *parts):
            cells.setdefault((row["source"], row["target"]), Tally()).add(Tally.of(row))
        first_week = label(start)
        async with write_transaction():
            await SpanFlow.delete().where(
                (SpanFlow.size == size) & (SpanFlow.first_week == first_week)
            )
            for (source, target), cell in cells.items():
                await SpanFlow.raw(
                    FLOW_INSERT, size, first_week, source, target, cell.ideas, cell.votes,
                    cell.planned, cell.done, cell.kept_authors(), moment,
                )  # fmt: skip
