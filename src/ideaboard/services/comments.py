"""Comments on ideas: Markdown, edited and deleted by their authors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Verdict, can_delete_comment, can_edit_comment
from ideaboard.markup import render_markdown
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.follows import add_follower
from ideaboard.services.validation import check_text
from ideaboard.tables import Comment, Idea

BODY_MAX = 10_000


@dataclass(frozen=True)
class CommentInput:
    body: str

    @classmethod
    def from_form(cls, form: Any) -> CommentInput:
        return cls(body=form.get("body", "").strip())

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(errors, "body", self.body, label="Comment", max_length=BODY_MAX, multiline=True)
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
)


async def list_comments(idea_id: int) -> list[CommentView]:
    """Oldest first, so the newest is at the bottom, next to the Comment box."""
    records = (
        await Comment.select(*COMMENT_COLUMNS)
        .where(Comment.idea == idea_id)
        .order_by(Comment.created_at)
        .order_by(Comment.id)
    )
    return [CommentView(**record) for record in records]


async def get_comment(comment_id: int) -> CommentView:
    record = await Comment.select(*COMMENT_COLUMNS).where(Comment.id == comment_id).first()
    if record is None:
        raise NotFound("This comment")
    return CommentView(**record)


async def add_comment(actor: Actor, idea_id: int, form: CommentInput) -> int:
    errors = form.errors()
    if errors:
        raise ValidationFailed(errors)
    created = now()
    comment = Comment(
        idea=idea_id,
        author=actor.id,
        body=form.body,
        body_html=render_markdown(form.body),
        created_at=created,
        updated_at=created,
    )
    async with write_transaction():
        if not await Idea.exists().where(Idea.id == idea_id):
            raise NotFound("This idea")
        await comment.save()
        await Idea.update({Idea.comment_count: Idea.comment_count + 1}).where(Idea.id == idea_id)
        await add_follower(actor.id, idea_id)
    return int(comment.id)


async def update_comment(actor: Actor, comment_id: int, form: CommentInput) -> CommentView:
    comment = await get_comment(comment_id)
    require(comment.can_edit(actor))
    errors = form.errors()
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await Comment.update(
            {
                Comment.body: form.body,
                Comment.body_html: render_markdown(form.body),
                Comment.edited: True,
                Comment.updated_at: now(),
            }
        ).where(Comment.id == comment_id)
    return await get_comment(comment_id)


async def remove_comment(actor: Actor, comment_id: int) -> int:
    """Delete a comment; returns the idea it was on."""
    comment = await get_comment(comment_id)
    require(comment.can_delete(actor))
    async with write_transaction():
        deleted = await Comment.delete().where(Comment.id == comment_id).returning(Comment.id)
        if deleted:
            await Idea.update({Idea.comment_count: Idea.comment_count - 1}).where(
                Idea.id == comment.idea_id
            )
    return comment.idea_id
