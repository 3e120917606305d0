"""Atom feeds for feed readers and intranet portals: the board (with the board's
filters) and one idea's story (status updates and comments), read as the person whose
private link it is, through the same services and visibility rule as their pages.

A link carries the person's id and an HMAC of it and of their feed generation: nothing
to store, shown at /account whenever they look, and all revoked at once by a new
generation. Someone switched off has no feed."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.services import board, idea_page
from ideaboard.services.comments import CommentView
from ideaboard.services.ideas import IdeaView
from ideaboard.services.status_updates import StatusChangeView
from ideaboard.tables import User

PAGE_SIZE = 30


def feed_token(secret: str, user_id: int, generation: int) -> str:
    message = f"feed:{user_id}:{generation}".encode()
    return f"{user_id}.{hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]}"


@dataclass(frozen=True)
class FeedReader:
    actor: Actor
    name: str
    language: str  # their choice; "" follows the organisation's
    token: str


async def reader_for(secret: str, token: str) -> FeedReader | None:
    """Whose link this is, if it is genuine, current and theirs is an active account."""
    user_id, _, _ = token.partition(".")
    if not user_id.isdigit() or len(user_id) > 10 or len(token) > 80:
        return None
    record = await User.select(
        User.id, User.name, User.role, User.department, User.language, User.feed_generation
    ).where(User.id == int(user_id), User.active.eq(True)).first()  # fmt: skip
    if record is None:
        return None
    expected = feed_token(secret, record["id"], record["feed_generation"])
    if not hmac.compare_digest(expected.encode(), token.encode()):
        return None
    actor = Actor(id=record["id"], role=Role(record["role"]), department_id=record["department"])
    return FeedReader(actor=actor, name=record["name"], language=record["language"], token=token)


async def renew_token(actor: Actor) -> None:
    """New feed links; the old ones stop working at once."""
    async with write_transaction():
        await User.update({User.feed_generation: User.feed_generation + 1}).where(
            User.id == actor.id
        )


@dataclass(frozen=True)
class BoardFeed:
    ideas: list[IdeaView]
    updated: datetime | None


async def board_feed(reader: Actor, query: board.BoardQuery) -> BoardFeed:
    page = await board.list_board(query, reader)
    ideas = page.ideas[:PAGE_SIZE]
    return BoardFeed(ideas=ideas, updated=max((i.updated_at for i in ideas), default=None))


@dataclass(frozen=True)
class Entry:
    """One thing that happened to an idea: its proposal, a status update or a comment."""

    kind: str  # "idea" | "update" | "comment"
    id: str
    author_name: str
    html: str
    created_at: datetime
    update: StatusChangeView | None = None


@dataclass(frozen=True)
class IdeaFeed:
    idea: IdeaView
    entries: list[Entry]  # newest first

    @property
    def updated(self) -> datetime:
        return self.entries[0].created_at


async def idea_feed(reader: Actor, idea_id: int) -> IdeaFeed:
    """NotFound when the reader may not see the idea, as its page says."""
    page = await idea_page.get_idea_page(reader, idea_id, mark_read=False)
    idea = page.idea
    entries = [Entry("idea", f"idea-{idea.id}", idea.author_name, idea.body_html, idea.created_at)]
    entries += [
        Entry("update", f"update-{u.id}", u.author_name, u.message_html, u.created_at, update=u)
        for u in page.updates
    ]
    entries += [_comment(c) for c in page.comments if c.counts]
    entries.sort(key=lambda entry: entry.created_at, reverse=True)
    return IdeaFeed(idea=idea, entries=entries[:PAGE_SIZE])


def _comment(comment: CommentView) -> Entry:
    return Entry(
        "comment", f"comment-{comment.id}", comment.author_name, comment.body_html,
        comment.created_at,
    )  # fmt: skip
