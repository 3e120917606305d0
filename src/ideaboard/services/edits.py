"""Edits under pre-moderation: a member's edit of approved content waits for a moderator
while the approved version stays public (docs/decisions.md: "Pre-moderation covers
edits"). Without this, approval once would have let any text through afterwards.

An edit of content still waiting for approval needs no second look (it is not public
yet) and is applied at once; so are the edits of moderators and admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Approval, can_moderate
from ideaboard.i18n import gettext
from ideaboard.markup import render_markdown
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, require
from ideaboard.services.notifications import notify
from ideaboard.services.organisation import writing_waits
from ideaboard.tables import Comment, Idea, PendingEdit


async def edit_waits(actor: Actor, approval: Approval) -> bool:
    """Does this person's edit of content in this state wait for a moderator?"""
    return approval is Approval.APPROVED and await writing_waits(actor)


async def hold_idea_edit(
    actor: Actor, idea_id: int, *, title: str, body: str, department_id: int
) -> None:
    """Keep the edit for a moderator, replacing one already waiting. Call inside a write
    transaction."""
    await PendingEdit.delete().where(PendingEdit.idea == idea_id)
    await PendingEdit.insert(
        PendingEdit(
            idea=idea_id, author=actor.id, title=title, body=body,
            body_html=render_markdown(body), department=department_id, created_at=now(),
        )
    )  # fmt: skip


async def hold_comment_edit(actor: Actor, comment_id: int, *, body: str) -> None:
    """As `hold_idea_edit`, for a comment."""
    await PendingEdit.delete().where(PendingEdit.comment == comment_id)
    await PendingEdit.insert(
        PendingEdit(
            comment=comment_id, author=actor.id, body=body, body_html=render_markdown(body),
            created_at=now(),
        )
    )  # fmt: skip


@dataclass(frozen=True)
class WaitingEdit:
    """An edit waiting for a moderator, as its author and the moderation queue see it."""

    id: int
    idea_id: int
    comment_id: int | None
    title: str  # the idea's title as it is public now
    new_title: str
    body: str
    body_html: str
    department_id: int | None
    author_id: int
    author_name: str
    created_at: datetime


WAITING = """
SELECT e.id, COALESCE(e.idea, c.idea) AS idea_id, e.comment AS comment_id, i.title,
       e.title AS new_title, e.body, e.body_html, e.department AS department_id,
       e.author AS author_id, a.name AS author_name, e.created_at
FROM pending_edit e
LEFT JOIN comment c ON c.id = e.comment
JOIN idea i ON i.id = COALESCE(e.idea, c.idea)
JOIN account a ON a.id = e.author
"""


async def list_waiting_edits(limit: int) -> list[WaitingEdit]:
    rows = await PendingEdit.raw(WAITING + "ORDER BY e.id LIMIT {}", limit)
    return [WaitingEdit(**row) for row in rows]


async def find_waiting_idea_edit(idea_id: int, author_id: int) -> WaitingEdit | None:
    """This author's edit of the idea, while it waits (for their page and edit form)."""
    rows = await PendingEdit.raw(WAITING + "WHERE e.idea = {} AND e.author = {}", idea_id,
                                 author_id)  # fmt: skip
    return WaitingEdit(**rows[0]) if rows else None


async def find_waiting_comment_edits(idea_id: int, author_id: int) -> dict[int, WaitingEdit]:
    """This author's waiting edits of comments on the idea, by comment."""
    rows = await PendingEdit.raw(WAITING + "WHERE c.idea = {} AND e.author = {}", idea_id,
                                 author_id)  # fmt: skip
    return {row["comment_id"]: WaitingEdit(**row) for row in rows}


async def _get(edit_id: int) -> dict[str, Any]:
    rows = await PendingEdit.raw(WAITING + "WHERE e.id = {}", edit_id)
    if not rows:
        raise NotFound(gettext("This edit does not exist."))
    return rows[0]


async def decide_edit(actor: Actor, edit_id: int, *, approve: bool, reason: str = "") -> int:
    """Apply the edit (approve) or drop it (reject, with the reason the author reads).
    Returns the idea it was on."""
    require(can_moderate(actor))
    async with write_transaction():
        edit = await _get(edit_id)
        moment = now()
        if approve and edit["comment_id"] is None:
            await Idea.update(
                {
                    Idea.title: edit["new_title"],
                    Idea.body: edit["body"],
                    Idea.body_html: edit["body_html"],
                    Idea.department: edit["department_id"],
                    Idea.updated_at: moment,
                }
            ).where(Idea.id == edit["idea_id"])
        elif approve:
            await Comment.update(
                {
                    Comment.body: edit["body"],
                    Comment.body_html: edit["body_html"],
                    Comment.edited: True,
                    Comment.updated_at: moment,
                }
            ).where(Comment.id == edit["comment_id"])
        await PendingEdit.delete().where(PendingEdit.id == edit_id)
        event = "comment_edit" if edit["comment_id"] else "edit"
        await notify(
            NotificationKind.IDEA_APPROVED if approve else NotificationKind.IDEA_REJECTED,
            [edit["author_id"]], idea_id=edit["idea_id"], actor_id=actor.id,
            detail={"event": event} | ({} if approve else {"reason": reason}),
        )  # fmt: skip
        await add_audit(
            actor, "edit.approve" if approve else "edit.reject",
            target_type="comment" if edit["comment_id"] else "idea",
            target_id=edit["comment_id"] or edit["idea_id"],
            summary=f"“{edit['title']}”" + (f": {reason}" if reason else ""),
        )  # fmt: skip
    return int(edit["idea_id"])
