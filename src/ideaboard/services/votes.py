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
    hot_score,
    trending_since,
    votes_left,
)
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden, require
from ideaboard.services.follows import add_follower
from ideaboard.services.organisation import current_organisation
from ideaboard.services.routing import check_routing_threshold
from ideaboard.services.visibility import require_open
from ideaboard.tables import Idea, User, Vote

# The vote's statements, hand-written: a vote is the busiest write of the board, and
# these are several times cheaper to build than the same through the query builder.
# With the idea: what the vote needs to decide, and the board's vote budget (read inside
# the transaction, so a budget switched on just now applies).
IDEA_FOR_VOTE = """
SELECT i.id, i.title, i.status, i.vote_count, i.created_at, i.author, i.approval,
       i.hidden, i.owner, i.department, i.needs_owner_since, d.routing_threshold,
       (SELECT o.vote_budget FROM organisation o ORDER BY o.id LIMIT 1) AS vote_budget
FROM idea i JOIN department d ON d.id = i.department
WHERE i.id = {}
"""
# PostgreSQL locks the idea's row only (SQLite's write transaction holds the one lock).
LOCK_IDEA = "FOR UPDATE OF i"
ADD_VOTE = (
    "INSERT INTO vote (voter, idea, created_at) VALUES ({}, {}, {})"
    " ON CONFLICT DO NOTHING RETURNING id"
)
REMOVE_VOTE = "DELETE FROM vote WHERE voter = {} AND idea = {} RETURNING created_at"
COUNT_VOTE = (
    "UPDATE idea SET vote_count = vote_count + {}, trending_votes = trending_votes + {},"
    " hot_score = {} WHERE id = {}"
)

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
    concurrent "vote" clicks by one person add exactly one vote. The idea's row is
    locked first (SQLite: BEGIN IMMEDIATE; PostgreSQL: FOR UPDATE), so the count read
    here plus this vote is the count written.
    """
    async with write_transaction():
        rows = await Idea.raw(IDEA_FOR_VOTE if is_sqlite() else IDEA_FOR_VOTE + LOCK_IDEA, idea_id)
        idea = require_open(rows[0] if rows else None, actor)
        status = Status(idea["status"])
        require(can_vote(status))
        moment = now()
        votes = trending = 0
        if voted:
            await _check_budget(actor, idea_id, budget=idea["vote_budget"] or 0)
            added = await Vote.raw(ADD_VOTE, actor.id, idea_id, moment)
            votes = trending = len(added)
            if added:
                await add_follower(actor.id, idea_id)
        else:
            removed = await Vote.raw(REMOVE_VOTE, actor.id, idea_id)
            if removed:
                votes = -1
                trending = -1 if removed[0]["created_at"] >= trending_since(moment) else 0
        count = idea["vote_count"] + votes
        if votes:
            score = hot_score(count, idea["created_at"])
            await Idea.raw(COUNT_VOTE, votes, trending, score, idea_id)
        if votes > 0:
            await check_routing_threshold(idea, count, actor_id=actor.id)
    return VoteButton(id=idea_id, status=status, vote_count=count, voted=voted)


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
