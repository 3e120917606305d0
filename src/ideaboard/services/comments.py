"""Comments on ideas: Markdown, edited and deleted by their authors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import (
    Actor,
    Approval,
    Verdict,
    can_delete_comment,
    can_edit_comment,
    can_see_content,
)
from ideaboard.i18n import gettext
from ideaboard.live import nudge
from ideaboard.markup import render_markdown
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.attachments import Staged, take
from ideaboard.services.clock import now
from ideaboard.services.edits import edit_waits, hold_comment_edit
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.follows import add_follower
from ideaboard.services.forms import Form
from ideaboard.services.notifications import notify_followers
from ideaboard.services.organisation import writing_waits
from ideaboard.services.validation import check_text
from ideaboard.services.visibility import (
    VISIBILITY_COLUMNS,
    require_open,
    require_visible_comment,
)
from ideaboard.tables import Comment, Idea

BODY_MAX = 10_000


@dataclass(frozen=True)
class CommentInput(Form):
    body: str = ""

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(
            errors, "body", self.body, label=gettext("Comment"), max_length=BODY_MAX, multiline=True
        )
        return errors


@dataclass(frozen=True)
class CommentView:
    id: int
    idea_id: int
    body: str
    body_html: str
    edited: bool
    created_at: datetime
    author_id: int
    author_name: str
    author_department: str
    approval: Approval = Approval.APPROVED
    hidden: bool = False

    @property
    def counts(self) -> bool:
        """Shown to everyone, so counted in the idea's comment count."""
        return self.approval is Approval.APPROVED and not self.hidden

    def can_edit(self, actor: Actor) -> Verdict:
        return can_edit_comment(actor, author_id=self.author_id)

    def can_delete(self, actor: Actor) -> Verdict:
        return can_delete_comment(actor, author_id=self.author_id)


COMMENT_COLUMNS = (
    Comment.id,
    Comment.idea.id.as_alias("idea_id"),
    Comment.body,
    Comment.body_html,
    Comment.edited,
    Comment.created_at,
    Comment.author.id.as_alias("author_id"),
    Comment.author.name.as_alias("author_name"),
    Comment.author._.department._.name.as_alias("author_department"),
    Comment.approval,
    Comment.hidden,
)


def comment_view(record: dict[str, Any]) -> CommentView:
    return CommentView(
        **{**record, "approval": Approval(record["approval"]), "hidden": bool(record["hidden"])}
    )


# The idea page's comments, hand-written: the page runs it on every view.
COMMENTS_OF_IDEA = """
SELECT c.id, c.idea AS idea_id, c.body, c.body_html, c.edited, c.created_at,
       a.id AS author_id, a.name AS author_name, d.name AS author_department,
       c.approval, c.hidden
FROM comment c
JOIN account a ON a.id = c.author
JOIN department d ON d.id = a.department
WHERE c.idea = {}
ORDER BY c.created_at, c.id
"""


async def list_comments(idea_id: int, reader: Actor) -> list[CommentView]:
    """Oldest first, so the newest is at the bottom, next to the Comment box. Hidden and
    unapproved comments are shown to moderators and to their authors only."""
    views = [comment_view(record) for record in await Comment.raw(COMMENTS_OF_IDEA, idea_id)]
    return [
        c
        for c in views
        if can_see_content(reader, author_id=c.author_id, approval=c.approval, hidden=c.hidden)
    ]


async def get_comment(comment_id: int, reader: Actor) -> CommentView:
    """The comment, if this reader may see it and its idea."""
    await require_visible_comment(comment_id, reader)
    record = await Comment.select(*COMMENT_COLUMNS).where(Comment.id == comment_id).first()
    if record is None:
        raise NotFound(gettext("This comment does not exist."))
    return comment_view(record)


async def require_commentable(actor: Actor, idea_id: int) -> None:
    """404 for an idea this person may not see, 403 for one nobody may comment on now
    (asked before a comment's files are taken in)."""
    require_open(
        await Idea.select(*VISIBILITY_COLUMNS, Idea.merged_into).where(Idea.id == idea_id).first(),
        actor,
    )


async def add_comment(
    actor: Actor, idea_id: int, form: CommentInput, files: Staged | None = None
) -> int:
    """Save a comment, with the pictures and files staged for it; a file refused
    refuses the comment, which keeps those that were not."""
    errors = form.errors()
    if files is not None and files.problems:
        errors["files"] = files.error
    if errors:
        raise ValidationFailed(errors)
    waits = await writing_waits(actor)
    created = now()
    comment = Comment(
        approval=(Approval.PENDING if waits else Approval.APPROVED).value,
        idea=idea_id,
        author=actor.id,
        body=form.body,
        body_html=render_markdown(form.body),
        created_at=created,
        updated_at=created,
    )
    async with write_transaction():
        require_open(
            await Idea.select(*VISIBILITY_COLUMNS, Idea.merged_into)
            .where(Idea.id == idea_id)
            .first(),
            actor,
        )
        await comment.save()
        if files is not None:
            await take(actor, files.keys, idea_id=idea_id, comment_id=comment.id)
        await add_follower(actor.id, idea_id)
        if not waits:
            await publish_comment(actor.id, idea_id, comment.id)
    return int(comment.id)


async def publish_comment(author_id: int, idea_id: int, comment_id: int) -> None:
    """A comment everyone can now read: counted, its idea's followers told, and the
    event stream too."""
    await Idea.update({Idea.comment_count: Idea.comment_count + 1}).where(Idea.id == idea_id)
    await notify_followers(NotificationKind.NEW_COMMENT, idea_id, actor_id=author_id)
    nudge(f"comments:{idea_id}")
    await record_event(
        EventKind.COMMENT_CREATED, idea_id, actor_id=author_id, comment_id=comment_id
    )


async def update_comment(actor: Actor, comment_id: int, form: CommentInput) -> bool:
    """Save an edit; returns False when it waits for a moderator (pre-moderation)."""
    comment = await get_comment(comment_id, actor)
    require(comment.can_edit(actor))
    errors = form.errors()
    if errors:
        raise ValidationFailed(errors)
    waits = await edit_waits(actor, comment.approval)
    async with write_transaction():
        if waits:
            await hold_comment_edit(actor, comment_id, body=form.body)
            return False
        await Comment.update(
            {
                Comment.body: form.body,
                Comment.body_html: render_markdown(form.body),
                Comment.edited: True,
                Comment.updated_at: now(),
            }
        ).where(Comment.id == comment_id)
    return True


async def remove_comment(actor: Actor, comment_id: int) -> int:
    """Delete a comment; returns the idea it was on."""
    comment = await get_comment(comment_id, actor)
    require(comment.can_delete(actor))
    async with write_transaction():
        deleted = await Comment.delete().where(Comment.id == comment_id).returning(Comment.id)
        if deleted and comment.counts:
            await Idea.update({Idea.comment_count: Idea.comment_count - 1}).where(
                Idea.id == comment.idea_id
            )
    return comment.idea_id
