"""Ideas: proposing, reading and editing them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import (
    Actor,
    Approval,
    Status,
    Verdict,
    can_edit_idea,
    can_see_author,
    can_vote,
    hot_score,
)
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.markup import plain_text, render_markdown
from ideaboard.services.attachments import Staged, take
from ideaboard.services.clock import now
from ideaboard.services.departments import find_department
from ideaboard.services.edits import edit_waits, hold_idea_edit
from ideaboard.services.errors import ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.follows import add_follower
from ideaboard.services.forms import Form
from ideaboard.services.organisation import writing_waits
from ideaboard.services.search import Match
from ideaboard.services.validation import check_text, parse_id
from ideaboard.services.visibility import require_visible
from ideaboard.tables import Idea, Vote

TITLE_MAX = 160
BODY_MAX = 20_000
EXCERPT_LENGTH = 240


@dataclass(frozen=True)
class IdeaInput(Form):
    title: str = ""
    body: str = ""
    department_id: str = ""
    anonymous: bool | str = False

    CHECKBOXES = frozenset({"anonymous"})

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(errors, "title", self.title, label=gettext("Title"), max_length=TITLE_MAX)
        check_text(
            errors,
            "body",
            self.body,
            label=gettext("Description"),
            max_length=BODY_MAX,
            multiline=True,
        )
        return errors


# Not frozen: a board page makes thirty of these, and a frozen dataclass takes twice as
# long to make. Nothing changes one once made.
@dataclass(slots=True)
class IdeaView:
    """An idea as pages show it, with the reader's own vote."""

    id: int
    title: str
    body: str
    body_html: str
    status: Status
    vote_count: int
    comment_count: int
    created_at: datetime
    updated_at: datetime
    author_id: int
    author_name: str
    from_department_id: int
    from_department: str
    department_id: int
    department: str
    anonymous: bool = False
    approval: Approval = Approval.APPROVED
    hidden: bool = False
    merged_into: int | None = None
    cover: str | None = None  # the key of its first picture: the card's thumbnail
    voted: bool = False
    match: Match | None = None  # set when the idea was found by a search

    @property
    def excerpt(self) -> str:
        return excerpt_of(self.body_html)

    @property
    def voting(self) -> Verdict:
        return can_vote(self.status)

    @property
    def is_cross_department(self) -> bool:
        return self.from_department_id != self.department_id


@lru_cache(maxsize=4096)
def excerpt_of(body_html: str) -> str:
    """The first words of a description, for cards; remembered, as boards repeat."""
    text = " ".join(plain_text(body_html).split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + "…"


IDEA_COLUMNS = (
    Idea.id,
    Idea.title,
    Idea.body,
    Idea.body_html,
    Idea.status,
    Idea.vote_count,
    Idea.comment_count,
    Idea.created_at,
    Idea.updated_at,
    Idea.author.id.as_alias("author_id"),
    Idea.author.name.as_alias("author_name"),
    Idea.author_department.id.as_alias("from_department_id"),
    Idea.author_department.name.as_alias("from_department"),
    Idea.department.id.as_alias("department_id"),
    Idea.department.name.as_alias("department"),
    Idea.anonymous,
    Idea.approval,
    Idea.hidden,
    Idea.merged_into,
    Idea.cover,
)

# The same columns in hand-written SQL (the board, the idea page), with whether the
# reader voted for it (`{}`: the reader's id), and the joins they need after `FROM idea i`.
VIEW_COLUMNS = """i.id, i.title, i.body, i.body_html, i.status, i.vote_count, i.comment_count,
       i.created_at, i.updated_at,
       a.id AS author_id, a.name AS author_name,
       fd.id AS from_department_id, fd.name AS from_department,
       td.id AS department_id, td.name AS department,
       i.anonymous, i.approval, i.hidden, i.merged_into, i.cover,
       EXISTS (SELECT 1 FROM vote v WHERE v.idea = i.id AND v.voter = {}) AS voted"""
VIEW_JOINS = """JOIN account a ON a.id = i.author
JOIN department fd ON fd.id = i.author_department
JOIN department td ON td.id = i.department"""

# Worded in the reader's language where it is shown (a page, an email, a feed).
ANONYMOUS = lazy_gettext("Anonymous")


def idea_view(
    record: dict[str, Any], reader: Actor, *, voted: bool = False, match: Match | None = None
) -> IdeaView:
    """An idea for this reader: the author of an anonymous idea is left out unless the
    reader may know it, so no page, fragment or email made from it can leak the name."""
    fields = {**record, "status": Status(record["status"]), "voted": bool(voted), "match": match}
    fields["approval"] = Approval(record.get("approval") or Approval.APPROVED)
    fields["anonymous"] = bool(record.get("anonymous"))
    fields["hidden"] = bool(record.get("hidden"))
    if not can_see_author(reader, author_id=record["author_id"], anonymous=fields["anonymous"]):
        # Their department too: in a small team it would say who it was.
        fields |= {"author_id": 0, "author_name": ANONYMOUS, "from_department": ""}
    return IdeaView(**fields)


async def _target_department(errors: dict[str, str], raw_id: str) -> int | None:
    department_id = parse_id(raw_id)
    department = await find_department(department_id) if department_id else None
    if department is None or department.archived:
        errors["department_id"] = gettext("Choose the department this idea is for.")
        return None
    return department.id


def _files_problem(errors: dict[str, str], files: Staged | None) -> None:
    if files is not None and files.problems:
        errors["files"] = files.error


async def create_idea(actor: Actor, form: IdeaInput, files: Staged | None = None) -> int:
    """Save a new idea, with the pictures and files staged for it (services.attachments);
    a file refused refuses the form, which then keeps those that were not."""
    errors = form.errors()
    department_id = await _target_department(errors, form.department_id)
    _files_problem(errors, files)
    if errors:
        raise ValidationFailed(errors)
    waits = await writing_waits(actor)
    created = now()
    idea = Idea(
        anonymous=form.anonymous,
        approval=(Approval.PENDING if waits else Approval.APPROVED).value,
        title=form.title,
        body=form.body,
        body_html=render_markdown(form.body),
        author=actor.id,
        author_department=actor.department_id,
        department=department_id,
        status=Status.NEW.value,
        hot_score=hot_score(0, created),
        created_at=created,
        updated_at=created,
    )
    async with write_transaction():
        await idea.save()
        if files is not None:
            await take(actor, files.keys, idea_id=idea.id)
        await add_follower(actor.id, idea.id)
        if not waits:
            await record_event(EventKind.IDEA_CREATED, idea.id, actor_id=actor.id)
    return int(idea.id)


async def has_voted(idea_id: int, user_id: int) -> bool:
    return bool(await Vote.exists().where(Vote.idea == idea_id, Vote.voter == user_id))


async def get_idea(idea_id: int, reader: Actor) -> IdeaView:
    """The idea as this reader may see it."""
    record = require_visible(
        await Idea.select(*IDEA_COLUMNS).where(Idea.id == idea_id).first(),
        reader,
        author="author_id",
    )
    return idea_view(record, reader, voted=await has_voted(idea_id, reader.id))


async def get_editable_idea(idea_id: int, actor: Actor) -> IdeaView:
    """The idea, if this person may edit it (404 if they may not see it, 403 if not theirs
    to edit)."""
    idea = await get_idea(idea_id, actor)
    require(can_edit_idea(actor, author_id=idea.author_id, status=idea.status))
    return idea


async def update_idea(
    actor: Actor, idea_id: int, form: IdeaInput, files: Staged | None = None
) -> bool:
    """Save an edit; returns False when it waits for a moderator (pre-moderation: the
    approved version stays public until then). Pictures and files added are attached at
    once, either way: a moderator removes one as it is."""
    idea = await get_idea(idea_id, actor)
    require(can_edit_idea(actor, author_id=idea.author_id, status=idea.status))
    errors = form.errors()
    department_id = await _target_department(errors, form.department_id)
    _files_problem(errors, files)
    if errors:
        raise ValidationFailed(errors)
    assert department_id is not None
    waits = await edit_waits(actor, idea.approval)
    async with write_transaction():
        if files is not None:
            await take(actor, files.keys, idea_id=idea_id)
        if waits:
            await hold_idea_edit(
                actor, idea_id, title=form.title, body=form.body, department_id=department_id
            )
            return False
        await Idea.update(
            {
                Idea.title: form.title,
                Idea.body: form.body,
                Idea.body_html: render_markdown(form.body),
                Idea.department: department_id,
                Idea.updated_at: now(),
            }
        ).where(Idea.id == idea_id)
    return True
