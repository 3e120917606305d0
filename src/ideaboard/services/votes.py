"""Votes: one per person per idea, counted in the same transaction as the row."""

from __future__ import annotations

from datetime import datetime

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Status, can_vote, hot_score, trending_since
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
        moment = now()
        if voted:
            added = await (
                Vote.insert(Vote(voter=actor.id, idea=idea_id, created_at=moment))
                .on_conflict(action="DO NOTHING")
                .returning(Vote.id)
            )
            if added:
                await _add_to_counts(idea_id, votes=1, trending=1)
        else:
            removed = await (
                Vote.delete()
                .where(Vote.voter == actor.id, Vote.idea == idea_id)
                .returning(Vote.created_at)
            )
            if removed:
                recent = removed[0]["created_at"] >= trending_since(moment)
                await _add_to_counts(idea_id, votes=-1, trending=-1 if recent else 0)
    return await get_idea(idea_id, reader_id=actor.id)


async def _add_to_counts(idea_id: int, *, votes: int, trending: int) -> None:
    """Counters move in the vote's own transaction; hot follows the new count."""
    counted = await (
        Idea.update(
            {
                Idea.vote_count: Idea.vote_count + votes,
                Idea.trending_votes: Idea.trending_votes + trending,
            }
        )
        .where(Idea.id == idea_id)
        .returning(Idea.vote_count, Idea.created_at)
    )
    total: int = counted[0]["vote_count"]
    created_at: datetime = counted[0]["created_at"]
    await Idea.update({Idea.hot_score: hot_score(total, created_at)}).where(Idea.id == idea_id)
