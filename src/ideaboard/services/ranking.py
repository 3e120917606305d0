"""Ranking upkeep: age the Trending window, and recount every counter from its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ideaboard.db import write_transaction
from ideaboard.domain import hot_score, trending_since
from ideaboard.services.clock import now
from ideaboard.tables import Idea

# The Trending sort's count: votes within the window, counted here from the rows (a vote
# does not touch it), at least once a minute. Only ideas that trend now, or received a
# vote within the window, can change; the vote (idea, created_at) index finds the latter
# without reading old votes, and only rows whose count differs are written.
RECENT_VOTES = "(SELECT COUNT(*) FROM vote WHERE vote.idea = idea.id AND vote.created_at >= {})"
REFRESH_TRENDING = f"""
UPDATE idea SET trending_votes = {RECENT_VOTES}
WHERE (trending_votes <> 0
       OR id IN (SELECT DISTINCT vote.idea FROM vote WHERE vote.created_at >= {{}}))
  AND trending_votes <> {RECENT_VOTES}
"""  # noqa: S608 (constants only)


async def refresh_trending(at: datetime | None = None) -> None:
    """Count each idea's votes within the Trending window: new votes start counting, votes
    older than the window stop. Cheap; safe to run anywhere, often."""
    since = trending_since(at or now())
    async with write_transaction():
        await Idea.raw(REFRESH_TRENDING, since, since, since)


@dataclass(frozen=True)
class Drift:
    idea_id: int
    field: str
    stored: float
    counted: float


COUNTED = """
SELECT i.id, i.vote_count, i.comment_count, i.hot_score, i.created_at,
       (SELECT COUNT(*) FROM vote v WHERE v.idea = i.id) AS votes,
       (SELECT COUNT(*) FROM comment c
        WHERE c.idea = i.id AND c.approval = 'approved' AND NOT c.hidden) AS comments
FROM idea i ORDER BY i.id
"""


async def recount(*, repair: bool, at: datetime | None = None) -> list[Drift]:
    """Compare every idea's counters with its rows; with `repair`, write the truth back.
    The trending count is not compared: it trails the votes by design, and is counted
    afresh from the rows (here too, with `repair`)."""
    since = trending_since(at or now())
    drift: list[Drift] = []
    async with write_transaction():
        if repair:
            await Idea.raw(REFRESH_TRENDING, since, since, since)
        for row in await Idea.raw(COUNTED):
            truth = {
                "vote_count": row["votes"],
                "comment_count": row["comments"],
                "hot_score": hot_score(row["votes"], row["created_at"]),
            }
            wrong = {
                field: value
                for field, value in truth.items()
                if (abs(row[field] - value) > 1e-9 if field == "hot_score" else row[field] != value)
            }
            drift += [Drift(row["id"], field, row[field], value) for field, value in wrong.items()]
            if wrong and repair:
                await Idea.update({getattr(Idea, f): v for f, v in wrong.items()}).where(
                    Idea.id == row["id"]
                )
    return drift
