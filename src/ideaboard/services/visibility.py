"""Who may see an idea or a comment: the one rule behind every page, action, notification
and email. An item a person may not see answers exactly as a missing one (404), and
nobody is ever told about it: not when it is acted on, nor when a message is delivered.

The rule itself is `domain.can_see_content` (and `domain.can_take_part` for acting on an
idea); this module applies it to rows, to recipients and, as SQL, to lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ideaboard.domain import Actor, Approval, Role, can_see_content, can_take_part
from ideaboard.i18n import gettext
from ideaboard.services.errors import NotFound, require
from ideaboard.tables import Comment, Idea, User

MODERATING_ROLES = (Role.MODERATOR.value, Role.ADMIN.value)

# The board's public: anyone signed in, and nobody in particular. Webhooks, Slack and
# Teams channels read as this reader: what a channel hears, every employee could see.
EVERYONE = Actor(id=0, role=Role.MEMBER, department_id=0)


def public_sql(alias: str) -> str:
    """What everyone may read: the board, search, the digest, the triage lanes."""
    return f"{alias}.approval = 'approved' AND NOT {alias}.hidden"


def seen_by_sql(idea: str, reader_id: str, reader_role: str) -> str:
    """`can_see_content` as SQL, for an idea (alias `idea`, possibly NULL from an outer
    join: then nothing hides it) and a reader given as SQL expressions."""
    roles = ", ".join(f"'{role}'" for role in MODERATING_ROLES)
    return (
        f"({idea}.id IS NULL OR ({public_sql(idea)}) OR {idea}.author = {reader_id}"
        f" OR {reader_role} IN ({roles}))"
    )


def sees(reader: Actor, record: dict[str, Any], *, author: str = "author") -> bool:
    """May this reader see the idea or comment whose row (with `approval`, `hidden` and its
    author under `author`) this is?"""
    return can_see_content(
        reader,
        author_id=record[author],
        approval=Approval(record["approval"]),
        hidden=bool(record["hidden"]),
    )


def require_visible(
    record: dict[str, Any] | None, reader: Actor, *, author: str = "author"
) -> dict[str, Any]:
    """The idea's row if this reader may see it. Hidden and unapproved ideas answer as if
    they did not exist, for anyone but their author and moderators, so a page, a vote or
    a comment does not even confirm them."""
    if record is None or not sees(reader, record, author=author):
        raise NotFound(gettext("This idea does not exist."))
    return record


def require_open(
    record: dict[str, Any] | None,
    reader: Actor,
    *,
    author: str = "author",
    even_merged: bool = False,
) -> dict[str, Any]:
    """The idea's row if this reader may see it (else 404) and anyone may act on it (else
    403 with the reason, which only those who see it read). A row with `merged_into` is
    also refused when it was merged into another idea, unless `even_merged`."""
    record = require_visible(record, reader, author=author)
    merged = record.get("merged_into") is not None and not even_merged
    require(
        can_take_part(
            approval=Approval(record["approval"]), hidden=bool(record["hidden"]), merged=merged
        )
    )
    return record


VISIBILITY_COLUMNS = (Idea.author, Idea.approval, Idea.hidden)


async def find_idea_for(idea_id: int, reader: Actor, *columns: Any) -> dict[str, Any]:
    """The idea's row with `columns` (and what the rule needs) if this reader may see it."""
    record = await Idea.select(*VISIBILITY_COLUMNS, *columns).where(Idea.id == idea_id).first()
    return require_visible(record, reader)


async def require_visible_comment(comment_id: int, reader: Actor) -> dict[str, Any]:
    """A comment's row (id, idea, author, approval, hidden) if the reader may see both the
    comment and its idea; NotFound otherwise, the same for a deleted one."""
    row = (
        await Comment.select(
            Comment.id, Comment.idea, Comment.author, Comment.approval, Comment.hidden,
            Comment.idea.author.as_alias("idea_author"),
            Comment.idea.approval.as_alias("idea_approval"),
            Comment.idea.hidden.as_alias("idea_hidden"),
        )
        .where(Comment.id == comment_id)
        .first()
    )  # fmt: skip
    if row is None or not sees(reader, row):
        raise NotFound(gettext("This comment does not exist."))
    idea = {"author": row["idea_author"], "approval": row["idea_approval"],
            "hidden": row["idea_hidden"]}  # fmt: skip
    if not sees(reader, idea):
        raise NotFound(gettext("This comment does not exist."))
    return row


async def visible_recipients(idea_id: int | None, people: Iterable[int]) -> list[int]:
    """The people among `people` who may see the idea: everyone when it is public, its
    author and moderators otherwise (and nobody when it is gone)."""
    ids = sorted(set(people))
    if idea_id is None or not ids:
        return ids
    idea = await Idea.select(*VISIBILITY_COLUMNS).where(Idea.id == idea_id).first()
    if idea is None:
        return []
    if can_take_part(approval=Approval(idea["approval"]), hidden=bool(idea["hidden"])):
        return ids
    rows = await User.select(User.id, User.role, User.department).where(User.id.is_in(ids))
    return [
        row["id"]
        for row in rows
        if sees(Actor(id=row["id"], role=Role(row["role"]), department_id=row["department"]), idea)
    ]
