"""Counting ahead what became of each week's ideas, so /insights reads a few hundred rows.

For the ideas proposed in one week (in the organisation's time zone) and everyone can
see, two tables are written afresh:

- `weekly_flow`, per proposing and receiving department: how many ideas, their
  votes, how many reached planned or further and done, and up to five of their authors;
- `weekly_funnel`, per receiving department: how far the ideas got, how soon they had an
  official update and a decision, and whole-day histograms of the days spent in each
  stage, so medians over any weeks stay exact to the day;
- `weekly_owner`, per owner (of today) and department: how soon their ideas had an
  update and a decision.

A week's figures change as its ideas move on, so `insight_rollups.count_weeks` counts a
week again when one of its ideas had news (the event stream says which), and also
refreshes the weeks counted longest ago, a few each time.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from ideaboard.domain import Status
from ideaboard.services.visibility import public_sql
from ideaboard.tables import Idea

# The funnel's stages, in order; an idea that reached one reached those before it.
STAGES = (Status.NEW, Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.DONE)
RANK = {stage.value: n for n, stage in enumerate(STAGES)}
TIMED_STAGES = tuple(stage.value for stage in STAGES[:-1])  # done is where ideas stay
DECISIONS = frozenset(
    {Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.DECLINED, Status.DUPLICATE}
)
PLANNED_OR_FURTHER = frozenset({Status.PLANNED, Status.IN_PROGRESS, Status.DONE})
DAY = 86_400
WEEK = 7 * DAY
AUTHORS_KEPT = 5  # insights.SMALLEST_GROUP: enough to tell "five or more"

WEEK_IDEAS = f"""
SELECT i.id, i.author, i.author_department, i.department, i.status, i.vote_count,
       i.merged_into, i.owner, i.created_at
FROM idea i
WHERE i.created_at >= {{}} AND i.created_at < {{}} AND {public_sql("i")}
"""  # noqa: S608 (only constants go in: the visibility rule)
WEEK_CHANGES = f"""
SELECT s.idea, s.to_status, s.created_at
FROM status_change s JOIN idea i ON i.id = s.idea
WHERE i.created_at >= {{}} AND i.created_at < {{}} AND {public_sql("i")}
ORDER BY s.idea, s.created_at, s.id
"""  # noqa: S608
FLOW_UPSERT = """
INSERT INTO weekly_flow (week, week_start, source, target, ideas, votes, planned, done,
    authors, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (week, source, target) DO UPDATE SET
    week_start = excluded.week_start, ideas = excluded.ideas, votes = excluded.votes,
    planned = excluded.planned, done = excluded.done, authors = excluded.authors,
    counted_at = excluded.counted_at
"""
OWNER_UPSERT = """
INSERT INTO weekly_owner (week, owner, department, ideas, answered, answered_in_week, decided,
    days, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (week, owner, department) DO UPDATE SET
    ideas = excluded.ideas, answered = excluded.answered,
    answered_in_week = excluded.answered_in_week, decided = excluded.decided,
    days = excluded.days, counted_at = excluded.counted_at
"""
RESPONSE_MEASURES = ("first_update", "decision")
FUNNEL_UPSERT = """
INSERT INTO weekly_funnel (week, week_start, department, ideas, reviewed, planned, started,
    done, declined, duplicate, answered, answered_in_week, decided, days, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (week, department) DO UPDATE SET
    week_start = excluded.week_start, ideas = excluded.ideas, reviewed = excluded.reviewed,
    planned = excluded.planned, started = excluded.started, done = excluded.done,
    declined = excluded.declined, duplicate = excluded.duplicate,
    answered = excluded.answered, answered_in_week = excluded.answered_in_week,
    decided = excluded.decided, days = excluded.days, counted_at = excluded.counted_at
"""


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


@dataclass
class FunnelCount:
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

    def add(self, way: Journey) -> None:
        self.ideas += 1
        self.reviewed += way.reached >= RANK["under_review"]
        self.planned += way.reached >= RANK["planned"]
        self.started += way.reached >= RANK["in_progress"]
        self.done += way.reached >= RANK["done"]
        self.declined += way.status == Status.DECLINED
        self.duplicate += way.status == Status.DUPLICATE
        for stage, days in way.days_in.items():
            if stage in TIMED_STAGES:
                self.days.setdefault(stage, Counter())[days] += 1
        if way.first_update is not None:
            self.answered += 1
            self.answered_in_week += way.first_update < WEEK
            self.days.setdefault("first_update", Counter())[int(way.first_update // DAY)] += 1
        if way.decision is not None:
            self.decided += 1
            self.days.setdefault("decision", Counter())[int(way.decision // DAY)] += 1

    def days_json(self, only: tuple[str, ...] = ()) -> str:
        days = {name: c for name, c in self.days.items() if not only or name in only}
        return histograms_json(days)


def histograms_json(days: dict[str, Counter[int]]) -> str:
    """{"first_update": {"3": 2, "10": 1}, ...}: whole days → how many ideas."""
    return json.dumps(
        {name: {str(d): n for d, n in sorted(c.items())} for name, c in days.items()},
        sort_keys=True,
    )


@dataclass
class FlowCount:
    ideas: int = 0
    votes: int = 0
    planned: int = 0
    done: int = 0
    authors: set[int] = field(default_factory=set)

    def add(self, idea: dict[str, Any]) -> None:
        self.ideas += 1
        self.votes += idea["vote_count"]
        self.planned += idea["status"] in PLANNED_OR_FURTHER
        self.done += idea["status"] == Status.DONE
        self.authors.add(idea["author"])

    def authors_kept(self) -> str:
        return ",".join(str(a) for a in sorted(self.authors)[:AUTHORS_KEPT])


async def count_week_ideas(week: str, start: datetime, end: datetime, moment: datetime) -> None:
    """Write the week's flow and funnel rows afresh. Runs inside the caller's transaction;
    cells that no longer have ideas (one was moved or hidden) are removed."""
    ideas = await Idea.raw(WEEK_IDEAS, start, end)
    changes: dict[int, list[tuple[str, datetime]]] = {}
    for row in await Idea.raw(WEEK_CHANGES, start, end):
        changes.setdefault(row["idea"], []).append((row["to_status"], row["created_at"]))
    flow: dict[tuple[int, int], FlowCount] = {}
    funnel: dict[int, FunnelCount] = {}
    owners: dict[tuple[int, int], FunnelCount] = {}
    for idea in ideas:
        way = journey(idea["created_at"], idea["status"], changes.get(idea["id"], []))
        funnel.setdefault(idea["department"], FunnelCount()).add(way)
        if idea["owner"] is not None:
            owners.setdefault((idea["owner"], idea["department"]), FunnelCount()).add(way)
        if idea["merged_into"] is None:  # its votes moved to the idea it duplicates
            cell = (idea["author_department"], idea["department"])
            flow.setdefault(cell, FlowCount()).add(idea)
    await Idea.raw("DELETE FROM weekly_flow WHERE week = {}", week)
    await Idea.raw("DELETE FROM weekly_funnel WHERE week = {}", week)
    await Idea.raw("DELETE FROM weekly_owner WHERE week = {}", week)
    for (owner, department), tally in owners.items():
        await Idea.raw(
            OWNER_UPSERT, week, owner, department, tally.ideas, tally.answered,
            tally.answered_in_week, tally.decided, tally.days_json(RESPONSE_MEASURES), moment,
        )  # fmt: skip
    for (source, target), count in flow.items():
        await Idea.raw(
            FLOW_UPSERT, week, start, source, target, count.ideas, count.votes,
            count.planned, count.done, count.authors_kept(), moment,
        )  # fmt: skip
    for department, tally in funnel.items():
        await Idea.raw(
            FUNNEL_UPSERT, week, start, department, tally.ideas, tally.reviewed,
            tally.planned, tally.started, tally.done, tally.declined, tally.duplicate,
            tally.answered, tally.answered_in_week, tally.decided, tally.days_json(), moment,
        )  # fmt: skip
