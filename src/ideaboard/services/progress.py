"""How far some ideas got, and how soon: the funnel's counts and the whole-day
histograms behind its medians, merged from weekly or period rows. Pure: no I/O.

A row's histograms are parsed only when they are merged: a period row carries its
medians worked out, so a page that shows a department as it is reads no histogram."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ideaboard.services.idea_rollups import TIMED_STAGES, histograms_json

COUNTS = ("ideas", "reviewed", "planned", "started", "done", "declined", "duplicate",
          "answered", "answered_in_week", "decided")  # fmt: skip
MEASURES = (*TIMED_STAGES, "first_update", "decision")


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
    raw_days: str = "{}"  # a row's histograms as JSON, until they are needed
    known_medians: dict[str, float | None] | None = None  # a period row's
    parsed: dict[str, Counter[int]] = field(default_factory=dict)

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
    def days(self) -> dict[str, Counter[int]]:
        """The histograms, {measure: {days: ideas}}."""
        if self.raw_days != "{}":
            for name, histogram in json.loads(self.raw_days).items():
                counter = self.parsed.setdefault(name, Counter())
                for value, count in histogram.items():
                    counter[int(value)] += count
            self.raw_days = "{}"
        return self.parsed

    def add(self, other: Progress) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        mine = self.days
        for name, histogram in other.days.items():
            mine.setdefault(name, Counter()).update(histogram)
        self.known_medians = None

    def days_json(self) -> str:
        return histograms_json(self.days)

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
        return median(self.days.get(name, Counter()))

    @property
    def timed_stages(self) -> tuple[str, ...]:
        return TIMED_STAGES

    @property
    def answered_share(self) -> float:
        return self.answered / self.ideas if self.ideas else 0.0
