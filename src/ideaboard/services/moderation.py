"""Moderation: the approval queue (pre-moderation), flags, hiding and restoring.

Nothing is ever deleted here: hidden and rejected content is kept, shown to moderators
(and to its author), and every decision is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Approval, can_moderate, can_take_part
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.markup import plain_text
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.comments import publish_comment
from ideaboard.services.edits import WaitingEdit, list_waiting_edits
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.notifications import notify
from ideaboard.services.validation import check_text
from ideaboard.services.visibility import (
    VISIBILITY_COLUMNS,
    require_open,
    require_visible_comment,
)
from ideaboard.tables import Comment, Flag, Idea, PendingEdit

REASON_MAX = 1000
REJECT_WHY = lazy_gettext("Say why it is rejected: the author will read it.")
QUEUE_SIZE = 100


# --- Flags ---------------------------------------------------------------------------


async def add_flag(
    actor: Actor, idea_id: int, reason: str, *, comment_id: int | None = None
) -> None:
    """Ask moderators to look at an idea or one of its comments; a reason is required."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    check_text(
        errors, "reason", reason, label=gettext("Reason"), max_length=REASON_MAX, multiline=True
    )
    async with write_transaction():
        require_open(
            await Idea.select(*VISIBILITY_COLUMNS).where(Idea.id == idea_id).first(), actor
        )
        if comment_id is not None:
            await require_flaggable_comment(actor, idea_id, comment_id)
        if not errors:
            already = Flag.exists().where(
                Flag.idea == idea_id, Flag.flagged_by == actor.id, Flag.resolved_at.is_null()
            )
            already = already.where(
                Flag.comment == comment_id if comment_id else Flag.comment.is_null()
            )
            if await already:
                errors["reason"] = gettext(
                    "You have already flagged this; a moderator will look at it."
                )
        if errors:
            raise ValidationFailed(errors)
        await Flag.insert(
            Flag(
                idea=idea_id,
                comment=comment_id,
                flagged_by=actor.id,
                reason=reason,
                created_at=now(),
            )
        )


async def require_flaggable_comment(actor: Actor, idea_id: int, comment_id: int) -> None:
    """A comment of this idea that the actor may see, and that everyone may read (a hidden
    or waiting comment is for moderators already)."""
    comment = await require_visible_comment(comment_id, actor)
    public = can_take_part(approval=Approval(comment["approval"]), hidden=comment["hidden"])
    if comment["idea"] != idea_id or not public:
        raise NotFound(gettext("This comment does not exist."))


async def _resolve_flags(
    actor: Actor, idea_id: int, comment_id: int | None, resolution: str
) -> int:
    query = Flag.update(
        {Flag.resolved_at: now(), Flag.resolved_by: actor.id, Flag.resolution: resolution}
    ).where(Flag.idea == idea_id, Flag.resolved_at.is_null())
    query = query.where(Flag.comment == comment_id if comment_id else Flag.comment.is_null())
    return len(await query.returning(Flag.id))


async def dismiss_flags(actor: Actor, *, idea_id: int = 0, comment_id: int | None = None) -> int:
    """The content is fine: close the open flags on an idea, or on one comment."""
    require(can_moderate(actor))
    async with write_transaction():
        if comment_id is not None:
            comment = await Comment.select(Comment.idea).where(Comment.id == comment_id).first()
            if comment is None:
                raise NotFound(gettext("This comment does not exist."))
            idea_id = comment["idea"]
        closed = await _resolve_flags(actor, idea_id, comment_id, "dismissed")
        if closed:
            await add_audit(
                actor, "flag.dismiss", target_type="comment" if comment_id else "idea",
                target_id=comment_id or idea_id, summary=f"{closed} flag(s) dismissed",
            )  # fmt: skip
    return closed


# --- Hiding -------------------------------------------------------------------------


def checked_reason(reason: str, *, required: bool, why: str = "") -> str:
    """A moderator's reason, as the author may read it: the same text rules as a comment."""
    reason = reason.strip()
    errors: dict[str, str] = {}
    check_text(errors, "reason", reason, label=gettext("Reason"), max_length=REASON_MAX,
               multiline=True, required=False)  # fmt: skip
    if required and not reason:
        errors["reason"] = why
    if errors:
        raise ValidationFailed(errors)
    return reason


async def set_idea_hidden(actor: Actor, idea_id: int, *, hidden: bool, reason: str = "") -> None:
    require(can_moderate(actor))
    reason = checked_reason(reason, required=False)
    async with write_transaction():
        idea = await Idea.select(Idea.title, Idea.hidden).where(Idea.id == idea_id).first()
        if idea is None:
            raise NotFound(gettext("This idea does not exist."))
        await Idea.update(
            {Idea.hidden: hidden, Idea.moderation_reason: reason if hidden else ""}
        ).where(Idea.id == idea_id)
        if hidden:
            await _resolve_flags(actor, idea_id, None, "hidden")
        await add_audit(
            actor, "idea.hide" if hidden else "idea.restore", target_type="idea",
            target_id=idea_id, summary=f"“{idea['title']}”" + (f": {reason}" if reason else ""),
            before={"hidden": idea["hidden"]}, after={"hidden": hidden},
        )  # fmt: skip


async def set_comment_hidden(actor: Actor, comment_id: int, *, hidden: bool) -> int:
    """Hide or restore a comment; returns its idea. The idea's count follows."""
    require(can_moderate(actor))
    async with write_transaction():
        comment = (
            await Comment.select(Comment.idea, Comment.hidden, Comment.approval, Comment.body)
            .where(Comment.id == comment_id)
            .first()
        )
        if comment is None:
            raise NotFound(gettext("This comment does not exist."))
        if comment["hidden"] != hidden:
            await Comment.update({Comment.hidden: hidden}).where(Comment.id == comment_id)
            if comment["approval"] == Approval.APPROVED:
                change = -1 if hidden else 1
                await Idea.update({Idea.comment_count: Idea.comment_count + change}).where(
                    Idea.id == comment["idea"]
                )
        if hidden:
            await _resolve_flags(actor, comment["idea"], comment_id, "hidden")
        await add_audit(
            actor, "comment.hide" if hidden else "comment.restore", target_type="comment",
            target_id=comment_id, summary=_excerpt(comment["body"]),
            before={"hidden": comment["hidden"]}, after={"hidden": hidden},
        )  # fmt: skip
    return int(comment["idea"])


# --- Approval (pre-moderation) ----------------------------------------------------------


async def decide_idea(actor: Actor, idea_id: int, *, approve: bool, reason: str = "") -> None:
    require(can_moderate(actor))
    reason = checked_reason(reason, required=not approve, why=str(REJECT_WHY))
    async with write_transaction():
        idea = (
            await Idea.select(Idea.title, Idea.author, Idea.approval)
            .where(Idea.id == idea_id)
            .first()
        )
        if idea is None:
            raise NotFound(gettext("This idea does not exist."))
        decision = Approval.APPROVED if approve else Approval.REJECTED
        await Idea.update({Idea.approval: decision.value, Idea.moderation_reason: reason}).where(
            Idea.id == idea_id
        )
        if approve and idea["approval"] != Approval.APPROVED:
            await record_event(EventKind.IDEA_CREATED, idea_id, actor_id=idea["author"])
        await notify(
            NotificationKind.IDEA_APPROVED if approve else NotificationKind.IDEA_REJECTED,
            [idea["author"]], idea_id=idea_id, actor_id=actor.id,
            detail={} if approve else {"reason": reason},
        )  # fmt: skip
        await add_audit(
            actor, "idea.approve" if approve else "idea.reject", target_type="idea",
            target_id=idea_id, summary=f"“{idea['title']}”" + (f": {reason}" if reason else ""),
            before=idea["approval"], after=decision.value,
        )  # fmt: skip


async def decide_comment(actor: Actor, comment_id: int, *, approve: bool, reason: str = "") -> int:
    require(can_moderate(actor))
    reason = checked_reason(reason, required=not approve, why=str(REJECT_WHY))
    async with write_transaction():
        comment = await Comment.select(
            Comment.idea, Comment.author, Comment.approval, Comment.body, Comment.hidden,
            Comment.idea.title.as_alias("title"),
        ).where(Comment.id == comment_id).first()  # fmt: skip
        if comment is None:
            raise NotFound(gettext("This comment does not exist."))
        decision = Approval.APPROVED if approve else Approval.REJECTED
        await Comment.update({Comment.approval: decision.value}).where(Comment.id == comment_id)
        if approve and comment["approval"] != Approval.APPROVED and not comment["hidden"]:
            await publish_comment(comment["author"], comment["idea"], comment_id)
        await add_audit(
            actor, "comment.approve" if approve else "comment.reject", target_type="comment",
            target_id=comment_id,
            summary=_excerpt(comment["body"]) + (f" — {reason}" if reason else ""),
            before=comment["approval"], after=decision.value,
        )  # fmt: skip
    return int(comment["idea"])


def _excerpt(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


# --- The queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """One thing waiting for a moderator: an idea or a comment, and why."""

    kind: str  # "idea" or "comment"
    idea_id: int
    comment_id: int | None
    title: str
    excerpt: str
    author_name: str
    created_at: datetime
    hidden: bool
    approval: Approval
    reasons: list[str]
    edit_id: int | None = None  # an edit of approved content (kind "edit")
    new_title: str = ""  # the title an idea's edit would give it

    @property
    def number(self) -> int:
        """The id of what is moderated: the edit, the comment or the idea."""
        return self.edit_id or self.comment_id or self.idea_id

    @property
    def key(self) -> str:
        """Unique within the queue: for form ids and error messages."""
        return f"{self.kind}-{self.number}"

    @property
    def action_path(self) -> str:
        """Where this item's moderation actions are posted."""
        return f"/moderation/{self.kind}s/{self.number}"


@dataclass(frozen=True)
class ModerationQueue:
    awaiting: list[QueueItem]
    flagged: list[QueueItem]
    hidden: list[QueueItem]


PENDING_IDEAS = """
SELECT i.id, i.title, i.body_html AS body, i.created_at, i.hidden, i.approval,
       a.name AS author_name
FROM idea i JOIN account a ON a.id = i.author
WHERE i.approval = 'pending' ORDER BY i.id LIMIT {}
"""
PENDING_COMMENTS = """
SELECT c.id, c.idea, i.title, c.body_html AS body, c.created_at, c.hidden, c.approval,
       a.name AS author_name
FROM comment c JOIN idea i ON i.id = c.idea JOIN account a ON a.id = c.author
WHERE c.approval = 'pending' ORDER BY c.id LIMIT {}
"""
OPEN_FLAGS = """
SELECT f.idea, f.comment, f.reason, i.title, i.body_html AS idea_body, i.created_at, i.hidden,
       i.approval, a.name AS author_name, c.body_html AS comment_body, c.hidden AS comment_hidden,
       c.created_at AS comment_created_at, ca.name AS comment_author
FROM flag f
JOIN idea i ON i.id = f.idea
JOIN account a ON a.id = i.author
LEFT JOIN comment c ON c.id = f.comment
LEFT JOIN account ca ON ca.id = c.author
WHERE f.resolved_at IS NULL
ORDER BY f.id
LIMIT {}
"""
HIDDEN_IDEAS = """
SELECT i.id, i.title, i.body_html AS body, i.created_at, i.hidden, i.approval,
       a.name AS author_name
FROM idea i JOIN account a ON a.id = i.author
WHERE i.hidden ORDER BY i.id DESC LIMIT {}
"""
HIDDEN_COMMENTS = """
SELECT c.id, c.idea, i.title, c.body_html AS body, c.created_at, c.hidden, c.approval,
       a.name AS author_name
FROM comment c JOIN idea i ON i.id = c.idea JOIN account a ON a.id = c.author
WHERE c.hidden ORDER BY c.id DESC LIMIT {}
"""


def _idea_item(row: dict[str, Any], reasons: list[str] | None = None) -> QueueItem:
    return QueueItem(
        kind="idea", idea_id=row["id"], comment_id=None, title=row["title"],
        excerpt=_excerpt(plain_text(row["body"]), 240), author_name=row["author_name"],
        created_at=row["created_at"], hidden=bool(row["hidden"]),
        approval=Approval(row["approval"]), reasons=reasons or [],
    )  # fmt: skip


def _comment_item(row: dict[str, Any]) -> QueueItem:
    return QueueItem(
        kind="comment", idea_id=row["idea"], comment_id=row["id"], title=row["title"],
        excerpt=_excerpt(plain_text(row["body"]), 240), author_name=row["author_name"],
        created_at=row["created_at"], hidden=bool(row["hidden"]),
        approval=Approval(row["approval"]), reasons=[],
    )  # fmt: skip


def _edit_item(edit: WaitingEdit) -> QueueItem:
    return QueueItem(
        kind="edit", idea_id=edit.idea_id, comment_id=edit.comment_id, title=edit.title,
        excerpt=_excerpt(plain_text(edit.body_html), 240), author_name=edit.author_name,
        created_at=edit.created_at, hidden=False, approval=Approval.PENDING, reasons=[],
        edit_id=edit.id, new_title=edit.new_title,
    )  # fmt: skip


async def get_queue(actor: Actor) -> ModerationQueue:
    require(can_moderate(actor))
    awaiting = [_idea_item(row) for row in await Idea.raw(PENDING_IDEAS, QUEUE_SIZE)]
    awaiting += [_comment_item(row) for row in await Comment.raw(PENDING_COMMENTS, QUEUE_SIZE)]
    awaiting += [_edit_item(edit) for edit in await list_waiting_edits(QUEUE_SIZE)]
    flagged: dict[tuple[int, int | None], QueueItem] = {}
    for row in await Flag.raw(OPEN_FLAGS, QUEUE_SIZE * 5):
        key = (row["idea"], row["comment"])
        if key not in flagged:
            on_comment = row["comment"] is not None
            flagged[key] = QueueItem(
                kind="comment" if on_comment else "idea",
                idea_id=row["idea"],
                comment_id=row["comment"],
                title=row["title"],
                excerpt=_excerpt(
                    plain_text(row["comment_body"] if on_comment else row["idea_body"]), 240
                ),
                author_name=row["comment_author"] if on_comment else row["author_name"],
                created_at=row["comment_created_at"] if on_comment else row["created_at"],
                hidden=bool(row["comment_hidden"] if on_comment else row["hidden"]),
                approval=Approval(row["approval"]),
                reasons=[],
            )
        flagged[key].reasons.append(row["reason"])
    hidden = [_idea_item(row) for row in await Idea.raw(HIDDEN_IDEAS, QUEUE_SIZE)]
    hidden += [_comment_item(row) for row in await Comment.raw(HIDDEN_COMMENTS, QUEUE_SIZE)]
    return ModerationQueue(
        awaiting=sorted(awaiting, key=lambda item: item.created_at),
        flagged=list(flagged.values())[:QUEUE_SIZE],
        hidden=hidden,
    )


async def count_queue() -> int:
    """What waits for moderators: the number by the Moderation link."""
    ideas = await Idea.count().where(Idea.approval == Approval.PENDING.value)
    comments = await Comment.count().where(Comment.approval == Approval.PENDING.value)
    flags = await Flag.count().where(Flag.resolved_at.is_null())
    return ideas + comments + flags + await PendingEdit.count()
