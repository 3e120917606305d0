"""Votes: one per person per idea, counted in the same transaction as the row."""

from __future__ import annotations

from dataclasses import dataclass

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import Actor, Status, Verdict, can_vote, hot_score, trending_since
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden, NotFound
from ideaboard.tables import Idea, Vote


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
        query = Idea.select(Idea.status, Idea.vote_count, Idea.created_at).where(Idea.id == idea_id)
        idea = await (query if is_sqlite() else query.lock_rows()).first()
        if idea is None:
            raise NotFound("This idea")
        status = Status(idea["status"])
        verdict = can_vote(status)
        if not verdict:
            raise Forbidden(verdict.reason)
        moment = now()
        votes = trending = 0
        if voted:
            added = await (
                Vote.insert(Vote(voter=actor.id, idea=idea_id, created_at=moment))
                .on_conflict(action="DO NOTHING")
                .returning(Vote.id)
            )
            votes = trending = len(added)
        else:
            removed = await (
                Vote.delete()
                .where(Vote.voter == actor.id, Vote.idea == idea_id)
                .returning(Vote.created_at)
            )
            if removed:
                votes = -1
                trending = -1 if removed[0]["created_at"] >= trending_since(moment) else 0
        count = idea["vote_count"] + votes
        if votes:
            await Idea.update(
                {
                    Idea.vote_count: Idea.vote_count + votes,
                    Idea.trending_votes: Idea.trending_votes + trending,
                    Idea.hot_score: hot_score(count, idea["created_at"]),
                }
            ).where(Idea.id == idea_id)
    return VoteButton(id=idea_id, status=status, vote_count=count, voted=voted)
