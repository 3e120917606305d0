"""How far some ideas got, and how soon: the funnel's counts and the whole-day
histograms behind its medians, merged from weekly or period rows. Pure: no I/O.

A row's histograms are parsed only when they are merged: a period row carries its
medians worked out, so a page that shows a department as it is reads no histogram."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from ideaboard.domain import Status

# The funnel's stages, in order; an idea that reached one reached those before it.
STAGES = (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.DONE)
RANK = {stage.value: n for n, stage in enumerate(STAGES)}
TIMED_STAGES = tuple(stage.value for stage in STAGES[:-1])  # done is where ideas stay
DECISIONS = frozenset(
    {Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.DECLINED, Status.DUPLICATE}
)
DAY = 86_400
WEEK = 7 * DAY

COUNTS = ("ideas", "reviewed", "planned", "started", "done", "declined", "duplicate",
          "answered", "answered_in_week", "decided")  # fmt: skip
MEASURES = (*TIMED_STAGES, "first_update", "decision")


@dataclass(frozen=True)
class Journey:
    """One idea's way through the stages, read from its timeline."""

    reached: int  # the rank of the furthest stage it ever reached
    status: str  # where it is now
    days_in: dict[str, int]  # whole days spent in each stage it has left
    first_update: float | None  # seconds from proposal to its first official update
    decision: float | None  # seconds to its first decision (planned … duplicate)


def journey(created_at: datetime, status: str, changes: list[tuple[str, datetime]]) -> Journey:
    points = [(Status.NEW.value, created_at), *changes]
    seconds: dict[str, float] = {}
    for (stage, start), (_next, end) in pairwise(points):
        seconds[stage] = seconds.get(stage, 0.0) + (end - start).total_seconds()
    decision = next((moment for to, moment in changes if to in DECISIONS), None)
    return Journey(
        reached=max(RANK.get(stage, 0) for stage, _ in points),
        status=status,
        days_in={stage: int(total // DAY) for stage, total in seconds.items()},
        first_update=(changes[0][1] - created_at).total_seconds() if changes else None,
        decision=(decision - created_at).total_seconds() if decision else None,
    )


Histogram = dict[str, int]  # whole days, rounded, as the JSON's keys ("3") → ideas


def rounded_days(days: int) -> int:
    """Whole days as the histograms keep them: to the day for four weeks, then down to
    the week up to 13 weeks, to four weeks up to a year, and to 13 weeks beyond. A
    histogram then holds at most about 60 values however long the board has run, so
    summing years of them stays cheap; a median beyond four weeks is a week or more
    off only when nobody needs it to the day."""
    if days < 28:
        return days
    if days < 91:
        return days - days % 7
    if days < 364:
        return days - days % 28
    return days - days % 91


def histograms_json(days: dict[str, Histogram]) -> str:
    """{"first_update": {"10": 1, "3": 2}, ...}: whole days → how many ideas."""
    return json.dumps(days, sort_keys=True)


def merge_histogram(into: Histogram, histogram: Histogram) -> None:
    for days, count in histogram.items():
        into[days] = into.get(days, 0) + count


def _merge_json(parsed: dict[str, Histogram], raw_days: str) -> None:
    """Add a row's histograms, as JSON, to some already read."""
    for name, histogram in json.loads(raw_days).items():
        mine = parsed.get(name)
        if mine is None:
            parsed[name] = histogram
        else:
            merge_histogram(mine, histogram)


def add_to(sums: dict[Any, Progress], key: Any, row: dict[str, Any]) -> None:
    """Add a weekly or period row to the progress kept under `key`."""
    if key in sums:
        sums[key].add_row(row)
    else:
        sums[key] = Progress.of(row)


def median(histogram: Histogram) -> float | None:
    """The median of whole days counted as {days: how many}."""
    count = sum(histogram.values())
    if not count:
        return None
    lower, upper, seen, low = (count - 1) // 2, count // 2, 0, 0
    for days in sorted(map(int, histogram)):
        if seen <= lower:
            low = days
        seen += histogram[str(days)]
        if seen > upper:
            return (low + days) / 2
    raise AssertionError("a median lies within its histogram")


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
    raw_days: str = "{}"  # a row's histograms as JSON, until they are needed
    known_medians: dict[str, float | None] | None = None  # a period row's
    parsed: dict[str, Histogram] = field(default_factory=dict)
    less_days: list[str] = field(default_factory=list)  # rows' JSON, to take away

    @classmethod
    def of(cls, row: dict[str, Any]) -> Progress:
        """From a weekly or period row (a period row's medians come with it)."""
        progress = cls(raw_days=row["days"] or "{}")
        for name in COUNTS:  # an owner's rows count only the ideas and their answers
            setattr(progress, name, int(row.get(name) or 0))
        if row.get("medians"):
            progress.known_medians = json.loads(row["medians"])
        return progress

    @property
    def days(self) -> dict[str, Histogram]:
        """The histograms, {measure: {days: ideas}}."""
        if self.raw_days != "{}":
            raw, self.raw_days = self.raw_days, "{}"
            _merge_json(self.parsed, raw)
        while self.less_days:
            for name, histogram in json.loads(self.less_days.pop()).items():
                mine = self.parsed.setdefault(name, {})
                for days, count in histogram.items():
                    if left := mine.get(days, 0) - count:
                        mine[days] = left
                    else:
                        mine.pop(days, None)
                if not mine:
                    del self.parsed[name]
        return self.parsed

    def add(self, other: Progress) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.raw_days != "{}" and not other.less_days:  # merged straight from JSON
            self._merge(other.raw_days)
        else:
            mine = self.days
            for name, histogram in other.days.items():
                merge_histogram(mine.setdefault(name, {}), histogram)
        self.known_medians = None

    def add_row(self, row: dict[str, Any]) -> None:
        """Add a weekly or period row, as `add(Progress.of(row))` would (the way a page
        sums a year of weekly rows: one parse per row, nothing else made)."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + int(row.get(name) or 0))
        if row["days"] and row["days"] != "{}":
            self._merge(row["days"])
        self.known_medians = None

    def subtract_row(self, row: dict[str, Any]) -> None:
        """Take away a row this one holds (a running sum's at the week before a range:
        what is left is the range's). Its histograms are taken away when read."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) - int(row.get(name) or 0))
        if row["days"] and row["days"] != "{}":
            self.less_days.append(row["days"])
        self.known_medians = None

    def _merge(self, raw_days: str) -> None:
        _merge_json(self.days, raw_days)  # this one's own first

    def count(self, way: Journey) -> None:
        """One more idea, on its way."""
        self.ideas += 1
        self.reviewed += way.reached >= RANK["under_review"]
        self.planned += way.reached >= RANK["planned"]
        self.started += way.reached >= RANK["in_progress"]
        self.done += way.reached >= RANK["done"]
        self.declined += way.status == Status.DECLINED
        self.duplicate += way.status == Status.DUPLICATE
        for stage, spent in way.days_in.items():
            if stage in TIMED_STAGES:
                self._count(stage, spent)
        if way.first_update is not None:
            self.answered += 1
            self.answered_in_week += way.first_update < WEEK
            self._count("first_update", int(way.first_update // DAY))
        if way.decision is not None:
            self.decided += 1
            self._count("decision", int(way.decision // DAY))
        self.known_medians = None

    def _count(self, measure: str, days: int) -> None:
        histogram, key = self.days.setdefault(measure, {}), str(rounded_days(days))
        histogram[key] = histogram.get(key, 0) + 1

    def days_json(self, only: tuple[str, ...] = ()) -> str:
        """The histograms as JSON; only the measures named, when some are."""
        return histograms_json({k: c for k, c in self.days.items() if not only or k in only})

    def medians_json(self) -> str:
        return json.dumps({name: self.median_days(name) for name in MEASURES}, sort_keys=True)

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
        if self.known_medians is not None:
            return self.known_medians.get(name)
        return median(self.days.get(name, {}))

    @property
    def timed_stages(self) -> tuple[str, ...]:
        return TIMED_STAGES

    @property
    def answered_share(self) -> float:
        return self.answered / self.ideas if self.ideas else 0.0
