"""Counting ahead what became of each week's ideas, so /insights reads a few hundred rows.

For the ideas proposed in one week (in the organisation's time zone) and everyone can
see, three tables are written afresh:

- `weekly_flow`, per proposing and receiving department: how many ideas, their
  votes, how many reached planned or further and done, and up to five of their authors;
- `weekly_funnel`, per receiving department and for all of them (`ALL`): how far the
  ideas got, how soon they had an official update and a decision, and whole-day
  histograms of the days spent in each stage (`progress.rounded_days`), so medians over
  any weeks stay exact;
- `weekly_owner`, per owner (of today) and department, and per owner for every
  department (`ALL`): how soon their ideas had an update and a decision.

A week's figures change as its ideas move on, so `insight_rollups.count_weeks` counts a
week again when one of its ideas had news (the event stream says which), and also
refreshes the weeks counted longest ago, a few each time. What changed is said, so the
running sums (`running`) are written again from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ideaboard.domain import Status
from ideaboard.services.insights_scope import ALL
from ideaboard.services.progress import Progress, journey
from ideaboard.services.running import FUNNEL, OWNERS, Key, Sums
from ideaboard.services.visibility import public_sql
from ideaboard.tables import Idea

PLANNED_OR_FURTHER = frozenset({Status.PLANNED, Status.IN_PROGRESS, Status.DONE})
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
FUNNEL_BEFORE = f"""
SELECT department, days, {", ".join(FUNNEL.counts)} FROM weekly_funnel WHERE week = {{}}
"""  # noqa: S608 (constants)
OWNERS_BEFORE = f"""
SELECT owner, department, days, {", ".join(OWNERS.counts)} FROM weekly_owner WHERE week = {{}}
"""  # noqa: S608 (constants)
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


async def count_week_ideas(
    week: str, start: datetime, end: datetime, moment: datetime
) -> tuple[set[Key], set[Key]]:
    """Write the week's flow, funnel and owner rows afresh. Runs inside the caller's
    transaction; cells that no longer have ideas (one was moved or hidden) are removed.
    Returns the departments and the (owner, department) pairs whose figures changed:
    their running sums have to be written again (`running`)."""
    ideas = await Idea.raw(WEEK_IDEAS, start, end)
    changes: dict[int, list[tuple[str, datetime]]] = {}
    for row in await Idea.raw(WEEK_CHANGES, start, end):
        changes.setdefault(row["idea"], []).append((row["to_status"], row["created_at"]))
    flow: dict[tuple[int, int], FlowCount] = {}
    funnel: dict[Key, Progress] = {}
    owners: dict[Key, Progress] = {}
    for idea in ideas:
        way = journey(idea["created_at"], idea["status"], changes.get(idea["id"], []))
        for department in (idea["department"], ALL):
            funnel.setdefault((department,), Progress()).count(way)
            if idea["owner"] is not None:
                owners.setdefault((idea["owner"], department), Progress()).count(way)
        if idea["merged_into"] is None:  # its votes moved to the idea it duplicates
            cell = (idea["author_department"], idea["department"])
            flow.setdefault(cell, FlowCount()).add(idea)
    before_funnel = await Idea.raw(FUNNEL_BEFORE, week)
    before_owners = await Idea.raw(OWNERS_BEFORE, week)
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
    for (department,), tally in funnel.items():
        await Idea.raw(
            FUNNEL_UPSERT, week, start, department, tally.ideas, tally.reviewed,
            tally.planned, tally.started, tally.done, tally.declined, tally.duplicate,
            tally.answered, tally.answered_in_week, tally.decided, tally.days_json(), moment,
        )  # fmt: skip
    return (
        _changed(FUNNEL, before_funnel, funnel, ()),
        _changed(OWNERS, before_owners, owners, RESPONSE_MEASURES),
    )


def _changed(
    sums: Sums, before: list[dict[str, Any]], after: dict[Key, Progress], only: tuple[str, ...]
) -> set[Key]:
    """The keys whose figures differ between the rows that were and the new counts."""
    was = {sums.key(row): (*(int(row[n]) for n in sums.counts), row["days"]) for row in before}
    now = {
        key: (*(getattr(p, n) for n in sums.counts), p.days_json(only)) for key, p in after.items()
    }
    return {key for key in was.keys() | now.keys() if was.get(key) != now.get(key)}
