"""Votes: one per person per idea, counted in the same transaction as the row."""

from __future__ import annotations

from datetime import datetime

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Status, can_vote, hot_score
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden, NotFound
from ideaboard.services.ideas import IdeaView, get_idea
from ideaboard.tables import Idea, Vote


async def set_vote(actor: Actor, idea_id: int, *, voted: bool) -> IdeaView:
    """Make the actor's vote on the idea what they asked for: idempotent, race-safe.

    The UNIQUE (voter, idea) index decides whether a row was added, so fifty
    concurrent "vote" clicks by one person add exactly one vote.
    """
    async with write_transaction():
        idea = await Idea.select(Idea.status).where(Idea.id == idea_id).first()
        if idea is None:
            raise NotFound("This idea")
        verdict = can_vote(Status(idea["status"]))
        if not verdict:
            raise Forbidden(verdict.reason)
        if voted:
            changed = await (
                Vote.insert(Vote(voter=actor.id, idea=idea_id, created_at=now()))
                .on_conflict(action="DO NOTHING")
                .returning(Vote.id)
            )
            delta = 1 if changed else 0
        else:
            changed = await (
                Vote.delete().where(Vote.voter == actor.id, Vote.idea == idea_id).returning(Vote.id)
            )
            delta = -len(changed)
        if delta:
            await _add_to_count(idea_id, delta)
    return await get_idea(idea_id, reader_id=actor.id)


async def _add_to_count(idea_id: int, delta: int) -> None:
    counted = await (
        Idea.update({Idea.vote_count: Idea.vote_count + delta})
        .where(Idea.id == idea_id)
        .returning(Idea.vote_count, Idea.created_at)
    )
    votes: int = counted[0]["vote_count"]
    created_at: datetime = counted[0]["created_at"]
    await Idea.update({Idea.hot_score: hot_score(votes, created_at)}).where(Idea.id == idea_id)
