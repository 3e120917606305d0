"""Following ideas: authors, voters and commenters follow automatically; anyone may
follow or stop following. Followers hear of status updates (digest, notifications)."""

from __future__ import annotations

from ideaboard.db import write_transaction
from ideaboard.domain import Actor
from ideaboard.services.clock import now
from ideaboard.services.visibility import VISIBILITY_COLUMNS, require_open, require_visible
from ideaboard.tables import Idea, Subscription

# Hand-written: it runs in every vote's transaction.
ADD_FOLLOWER = (
    "INSERT INTO subscription (account, idea, created_at) VALUES ({}, {}, {})"
    " ON CONFLICT DO NOTHING"
)


async def add_follower(user_id: int, idea_id: int) -> None:
    """Call inside the transaction of what made them follow (a vote, a comment)."""
    await Subscription.raw(ADD_FOLLOWER, user_id, idea_id, now())


async def set_following(actor: Actor, idea_id: int, *, following: bool) -> bool:
    """Follow or stop following; idempotent. Returns the new state. Following needs an
    idea anyone may act on; stopping needs only one the person may see."""
    async with write_transaction():
        record = (
            await Idea.select(*VISIBILITY_COLUMNS, Idea.merged_into)
            .where(Idea.id == idea_id)
            .first()
        )
        if following:
            require_open(record, actor)
            await add_follower(actor.id, idea_id)
        else:
            require_visible(record, actor)
            await Subscription.delete().where(
                Subscription.account == actor.id, Subscription.idea == idea_id
            )
    return following
