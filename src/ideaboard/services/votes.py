"""Votes: one per person per idea, counted in the same transaction as the row."""

from __future__ import annotations

from dataclasses import dataclass

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import (
    CLOSED_STATUSES,
    Actor,
    Status,
    Verdict,
    can_spend_vote,
    can_vote,
    votes_left,
)
from ideaboard.live import nudge
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden, require
from ideaboard.services.follows import add_follower
from ideaboard.services.organisation import current_organisation
from ideaboard.services.routing import check_routing_threshold
from ideaboard.services.visibility import require_open, sees
from ideaboard.tables import Idea, User, Vote

# The vote's statements, hand-written: a vote is the busiest write of the board. Adding
# or taking back a vote is one statement that applies only to an idea anyone may vote
# on (approved, not hidden, not merged, open), so the common case needs no read first.
VOTABLE = (
    "SELECT i.id FROM idea i WHERE i.id = {} AND i.approval = 'approved' AND NOT i.hidden"
    " AND i.merged_into IS NULL AND i.status NOT IN ({}, {}, {})"
)
# Constants only go into these ("WHERE true": SQLite's parser needs a WHERE before
# ON CONFLICT after a SELECT).
ADD_VOTE = (
    "INSERT INTO vote (voter, idea, created_at) SELECT {}, id, {} FROM (" + VOTABLE + ") v"  # noqa: S608
    " WHERE true ON CONFLICT DO NOTHING RETURNING id"
)
REMOVE_VOTE = (
    "DELETE FROM vote WHERE voter = {} AND idea IN (" + VOTABLE + ") RETURNING id"  # noqa: S608
)
# The count and the hot score follow the vote in the same statement (the score's age
# part stays: only its log10(votes) part changes), which returns what the button and the
# routing threshold need. The trending count does not: `ranking.refresh_trending` counts
# it from the vote rows within a minute (a product decision of issue #18), which spares
# each vote three index writes (a third of its cost at 100,000 ideas).
COUNT_VOTE = """
UPDATE idea SET vote_count = vote_count + {votes},
       hot_score = hot_score - LOG10({greatest}(vote_count, 1))
                   + LOG10({greatest}(vote_count + {votes}, 1))
WHERE id = {idea}
RETURNING id, title, status, vote_count, owner, department, needs_owner_since,
          (SELECT d.routing_threshold FROM department d WHERE d.id = idea.department)
            AS routing_threshold
"""
COUNT_VOTE_SQLITE = COUNT_VOTE.format(votes="{}", greatest="MAX", idea="{}")
# PostgreSQL's LOG is base 10; the count is cast for the floating-point one.
COUNT_VOTE_POSTGRES = (
    COUNT_VOTE.format(votes="{}", greatest="GREATEST", idea="{}")
    .replace("LOG10(GREATEST(vote_count, 1))", "LOG(GREATEST(vote_count, 1)::float8)")
    .replace("LOG10(GREATEST(vote_count + {}, 1))", "LOG(GREATEST(vote_count + {}, 1)::float8)")
)
# Where the vote changed nothing: why (a 404 or 403), or the idea as it stands.
IDEA_FOR_VOTE = """
SELECT i.id, i.status, i.vote_count, i.author, i.approval, i.hidden, i.merged_into
FROM idea i WHERE i.id = {}
"""

# Votes on open ideas: the ones a vote budget counts.
VOTES_IN_USE = (
    "SELECT COUNT(*) AS used FROM vote v JOIN idea i ON i.id = v.idea"
    " WHERE v.voter = {} AND i.status NOT IN ({}, {}, {})"
)
CLOSED = sorted(status.value for status in CLOSED_STATUSES)


async def count_votes_in_use(user_id: int) -> int:
    rows = await Vote.raw(VOTES_IN_USE, user_id, *CLOSED)
    return int(rows[0]["used"])


async def find_votes_left(user_id: int) -> int | None:
    """How many votes this person may still give; None when the board sets no budget."""
    organisation = await current_organisation()
    budget = organisation.vote_budget if organisation else 0
    if budget <= 0:
        return None
    return votes_left(budget, await count_votes_in_use(user_id))


@dataclass(frozen=True)
class VoteButton:
    """What the Vote button shows once the vote is in: read inside the vote's transaction,
    so rendering it needs no further query."""

    id: int
    status: Status
    vote_count: int
    voted: bool

    @property
    def voting(self) -> Verdict:
        return can_vote(self.status)


async def set_vote(actor: Actor, idea_id: int, *, voted: bool) -> VoteButton:
    """Make the actor's vote on the idea what they asked for: idempotent, race-safe.

    The UNIQUE (voter, idea) index decides whether a row was added, so fifty
    concurrent "vote" clicks by one person add exactly one vote; the count is changed in
    the same transaction, by the row added or removed (SQLite holds its write lock,
    PostgreSQL the idea's row from the UPDATE on), so the count stays the rows' count.
    """
    moment = now()
    async with write_transaction():
        if voted:
            organisation = await current_organisation()
            budget = organisation.vote_budget if organisation else 0
            await _check_budget(actor, idea_id, budget=budget)
            added = await Vote.raw(ADD_VOTE, actor.id, moment, idea_id, *CLOSED)
            votes = len(added)
        else:
            removed = await Vote.raw(REMOVE_VOTE, actor.id, idea_id, *CLOSED)
            votes = -len(removed)
        if not votes:
            return await _unchanged(actor, idea_id, voted=voted)
        count_vote = COUNT_VOTE_SQLITE if is_sqlite() else COUNT_VOTE_POSTGRES
        [idea] = await Idea.raw(count_vote, votes, votes, idea_id)
        if votes > 0:
            await add_follower(actor.id, idea_id)
            await check_routing_threshold(idea, idea["vote_count"], actor_id=actor.id)
        nudge(f"votes:{idea_id}")
    return VoteButton(
        id=idea_id, status=Status(idea["status"]), vote_count=idea["vote_count"], voted=voted
    )


async def _unchanged(actor: Actor, idea_id: int, *, voted: bool) -> VoteButton:
    """A vote that changed nothing: refused (the idea is missing or not for this reader:
    404; not open to votes: 403 with the reason), or asked twice (the button as it is)."""
    rows = await Idea.raw(IDEA_FOR_VOTE, idea_id)
    idea = require_open(rows[0] if rows else None, actor)
    status = Status(idea["status"])
    require(can_vote(status))
    return VoteButton(id=idea_id, status=status, vote_count=idea["vote_count"], voted=voted)


async def _check_budget(actor: Actor, idea_id: int, *, budget: int) -> None:
    """Refuse a new vote beyond the budget. Runs inside the vote's transaction, with the
    voter's row locked on PostgreSQL (SQLite's write lock already serialises), so two
    votes sent at once cannot both take the last one."""
    if budget <= 0:
        return
    if not is_sqlite():
        await User.select(User.id).where(User.id == actor.id).lock_rows()
    if await Vote.exists().where(Vote.voter == actor.id, Vote.idea == idea_id):
        return  # voting again for the same idea spends nothing
    verdict = can_spend_vote(budget, await count_votes_in_use(actor.id))
    if not verdict:
        raise VoteBudgetSpent(verdict.reason)


class VoteBudgetSpent(Forbidden):
    """Every vote of the person's budget is on an open idea."""


async def current_vote_box(reader: Actor, idea_id: int) -> VoteButton | None:
    """The vote box as this reader sees it now (a live update of an open page), or None
    when they may not see or vote on the idea any more."""
    rows = await Idea.raw(IDEA_FOR_VOTE, idea_id)
    if not rows or not sees(reader, rows[0]) or rows[0]["merged_into"] is not None:
        return None
    idea = rows[0]
    return VoteButton(
        id=idea_id, status=Status(idea["status"]), vote_count=idea["vote_count"],
        voted=await Vote.exists().where(Vote.idea == idea_id, Vote.voter == reader.id),
    )  # fmt: skip
