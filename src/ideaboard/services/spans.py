"""Any weeks of /insights' flow as a few spans summed ahead, so a custom range of a year
or five reads a handful of rows per from → for cell rather than a row per week.

A span is 4, 16, 64 or 256 weeks, aligned on `EPOCH`: the span of 16 weeks holding a
week starts at the week whose number (weeks since the epoch) is a multiple of 16. Any
run of weeks is the aligned spans that fit, largest first, with single weeks at its
edges (`pieces`): at most three of each size at each end. `span_flow` holds the sums
of `weekly_flow`; whenever a week is counted, the spans holding it are summed again
(`span_counts`). A cell's authors cannot be taken away from a sum, so the flow has
spans; the funnel and the owners' times, which can, keep running sums (`running`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from ideaboard.weeks import week_of

EPOCH = date(1990, 1, 1)  # a Monday, before any board's first idea
SIZES = (256, 64, 16, 4)  # weeks, largest first; single weeks are the weekly rows
WEEK = 1


def number(monday: date) -> int:
    """The week's number since the epoch."""
    return (monday - EPOCH).days // 7


def monday(week_number: int) -> date:
    return EPOCH + timedelta(days=7 * week_number)


def label(week_number: int) -> str:
    return week_of(monday(week_number))


def pieces(first: date, weeks: int) -> list[tuple[int, int]]:
    """The weeks from the Monday `first` as the fewest aligned spans: (size, number of
    its first week), in order; size 1 is a single week."""
    start, end = number(first), number(first) + weeks
    found = []
    while start < end:
        size = next(s for s in (*SIZES, WEEK) if start % s == 0 and start + s <= end)
        found.append((size, start))
        start += size
    return found


def holding(weeks: Iterable[date]) -> list[tuple[int, int]]:
    """Every span holding one of these weeks, smallest first."""
    numbers = {number(week) for week in weeks}
    return [
        (size, start)
        for size in reversed(SIZES)
        for start in sorted({n - n % size for n in numbers})
    ]


def piece_filters(first: date, weeks: int) -> tuple[str, list[str], str, list[Any]]:
    """Conditions picking the weeks' pieces, with their values: the single weeks of a
    weekly table (by `week`), then the spans of a span table (by `size`, `first_week`).
    A condition with nothing to pick picks nothing."""
    parts = pieces(first, weeks)
    singles = [label(start) for size, start in parts if size == WEEK]
    spans = [(size, label(start)) for size, start in parts if size != WEEK]
    in_weeks = f"week IN ({', '.join('{}' for _ in singles)})" if singles else "1 = 0"
    which = " OR ".join("(size = {} AND first_week = {})" for _ in spans)
    return in_weeks, singles, f"({which})" if spans else "1 = 0", [v for s in spans for v in s]
