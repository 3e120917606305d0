"""Ranking upkeep: the trending window, and counters recounted from their rows."""

from __future__ import annotations

from datetime import timedelta

from conftest import Client, Personas, make_idea
from ideaboard.services import comments, ranking, votes
from ideaboard.services.clock import now
from ideaboard.tables import Idea, Vote


async def counters(idea_id: int) -> dict[str, float]:
    return await (
        Idea.select(Idea.vote_count, Idea.comment_count, Idea.trending_votes, Idea.hot_score)
        .where(Idea.id == idea_id)
        .first()
    )


async def test_votes_count_towards_trending_until_they_age_out(
    client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.otto.actor, idea_id, voted=True)
    await votes.set_vote(board.mo.actor, idea_id, voted=True)
    # Votes count towards Trending at the next refresh (within a minute), not at once.
    assert (await counters(idea_id))["trending_votes"] == 0
    await ranking.refresh_trending()
    assert (await counters(idea_id))["trending_votes"] == 2

    await Vote.update({Vote.created_at: now() - timedelta(days=8)}).where(
        Vote.voter == board.otto.id
    )
    await ranking.refresh_trending()
    assert (await counters(idea_id))["trending_votes"] == 1
    assert (await counters(idea_id))["vote_count"] == 2  # all-time votes are untouched

    # Taking back an old vote leaves trending alone; a recent one counts down.
    await votes.set_vote(board.otto.actor, idea_id, voted=False)
    await ranking.refresh_trending()
    assert (await counters(idea_id))["trending_votes"] == 1
    await votes.set_vote(board.mo.actor, idea_id, voted=False)
    await ranking.refresh_trending()
    assert (await counters(idea_id))["trending_votes"] == 0
    assert await ranking.recount(repair=False) == []


async def test_refresh_counts_a_vote_that_slipped_past_the_counter(
    client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await Vote.insert(Vote(voter=board.otto.id, idea=idea_id, created_at=now()))
    await ranking.refresh_trending()
    assert (await counters(idea_id))["trending_votes"] == 1


async def test_recount_reports_and_repairs_drift(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.otto.actor, idea_id, voted=True)
    await comments.add_comment(board.otto.actor, idea_id, comments.CommentInput("Hi"))
    assert await ranking.recount(repair=False) == []
    await ranking.refresh_trending()
    right = await counters(idea_id)

    await Idea.update(
        {Idea.vote_count: 7, Idea.comment_count: 0, Idea.trending_votes: 3, Idea.hot_score: 0.0}
    ).where(Idea.id == idea_id)
    drift = await ranking.recount(repair=False)
    assert {(d.field, d.stored, d.counted) for d in drift} == {
        ("vote_count", 7, 1),
        ("comment_count", 0, 1),
        ("hot_score", 0.0, right["hot_score"]),
    }  # trending is not a counter that drifts: the refresh counts it anew each minute
    assert (await counters(idea_id))["vote_count"] == 7  # reporting changes nothing

    assert len(await ranking.recount(repair=True)) == 3
    assert await counters(idea_id) == right
    assert await ranking.recount(repair=False) == []
