"""Official status updates: the idea's public timeline, and the only way its status moves."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns import Column

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import (
    Actor,
    Status,
    StatusRole,
    can_update_status,
    status_update_problems,
    update_choices,
)
from ideaboard.i18n import gettext
from ideaboard.markup import render_markdown
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.forms import Form
from ideaboard.services.notifications import notify_followers
from ideaboard.services.validation import check_text
from ideaboard.services.visibility import require_open
from ideaboard.tables import DepartmentManager, Idea, StatusChange

MESSAGE_MAX = 5000


@dataclass(frozen=True)
class StatusUpdateInput(Form):
    status: str = ""
    message: str = ""

    @property
    def new_status(self) -> Status | None:
        return Status(self.status) if self.status in Status.__members__.values() else None


@dataclass(frozen=True)
class StatusChangeView:
    id: int
    from_status: Status
    to_status: Status
    author_name: str
    message_html: str
    created_at: datetime


async def find_status_role(actor: Actor, *, owner_id: int | None, department_id: int) -> StatusRole:
    manages = await DepartmentManager.exists().where(
        DepartmentManager.manager == actor.id, DepartmentManager.department == department_id
    )
    return StatusRole(is_owner=owner_id == actor.id, manages_department=bool(manages))


LOCKED_IDEA = (
    Idea.id,
    Idea.title,
    Idea.status,
    Idea.owner,
    Idea.department,
    Idea.author,
    Idea.vote_count,
    Idea.needs_owner_since,
    Idea.merged_into,
    Idea.approval,
    Idea.hidden,
)


async def lock_idea(idea_id: int, actor: Actor) -> dict[str, Any]:
    """The idea's row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite:
    the write transaction already holds the database's one write lock), if the actor may
    see it and anyone may act on it (`visibility.require_open`)."""
    query = Idea.select(*LOCKED_IDEA).where(Idea.id == idea_id)
    return require_open(await (query if is_sqlite() else query.lock_rows()).first(), actor)


async def move_status(
    actor: Actor,
    idea_id: int,
    *,
    from_status: str,
    to_status: str,
    message: str,
    moment: datetime,
    also: Mapping[Column | str, Any] | None = None,
) -> int:
    """The one way an idea's status moves: an entry on its public timeline and the idea's
    row (with `also`, more of its columns), together. Call inside a write transaction.
    Returns the timeline entry's id."""
    change = StatusChange(
        idea=idea_id,
        from_status=from_status,
        to_status=to_status,
        author=actor.id,
        message=message,
        message_html=render_markdown(message),
        created_at=moment,
    )
    await change.save()
    # updated_at stays: it dates edits of the idea's text ("edited 2 days ago").
    values: dict[Column | str, Any] = {Idea.status: to_status, Idea.last_update_at: moment}
    values.update(also or {})
    await Idea.update(values).where(Idea.id == idea_id)
    return int(change.id)


async def record_status_update(
    actor: Actor,
    idea: dict[str, Any],
    new_status: Status,
    message: str,
    *,
    already_told: Iterable[int] = (),
) -> int:
    """Write the update on the idea's timeline, move its status and tell its followers;
    call inside a write transaction with the idea locked (`lock_idea`) and the rules
    checked. Returns how many were told."""
    current = Status(idea["status"])
    change_id = await move_status(
        actor, idea["id"], from_status=current.value, to_status=new_status.value,
        message=message, moment=now(),
    )  # fmt: skip
    told = await notify_followers(
        NotificationKind.STATUS_CHANGED,
        idea["id"],
        actor_id=actor.id,
        already_told=already_told,
        status_change_id=change_id,
    )
    idea["status"] = new_status.value
    await record_event(
        EventKind.IDEA_STATUS_CHANGED, idea["id"], actor_id=actor.id,
        detail={"from": current.value, "to": new_status.value, "update": change_id},
    )  # fmt: skip
    if idea["owner"] != actor.id:
        await add_audit(
            actor, "idea.status", target_type="idea", target_id=idea["id"],
            summary=f"“{idea['title']}”: {current.label} → {new_status.label}",
            before=current.value, after=new_status.value,
        )  # fmt: skip
    return told


async def update_status(actor: Actor, idea_id: int, form: StatusUpdateInput) -> int:
    """Move the idea to a new status (or keep it) with a message for its followers, in one
    transaction with the idea's row locked, so two updates at once cannot both start from
    the same status and neither message is lost. Returns how many followers were told."""
    errors: dict[str, str] = {}
    check_text(errors, "message", form.message, label=gettext("Update message"),
               max_length=MESSAGE_MAX, multiline=True, required=False)  # fmt: skip
    async with write_transaction():
        idea = await lock_idea(idea_id, actor)
        current = Status(idea["status"])
        role = await find_status_role(
            actor, owner_id=idea["owner"], department_id=idea["department"]
        )
        require(can_update_status(actor, role))
        allowed = update_choices(current, actor, role, merged=idea["merged_into"] is not None)
        errors = status_update_problems(current, form.new_status, form.message, allowed) | errors
        if errors:
            raise ValidationFailed(errors)
        assert form.new_status is not None
        return await record_status_update(actor, idea, form.new_status, form.message)


# The idea page's timeline, hand-written: the page runs it on every view.
STATUS_CHANGES_OF_IDEA = """
SELECT s.id, s.from_status, s.to_status, a.name AS author_name, s.message_html, s.created_at
FROM status_change s
JOIN account a ON a.id = s.author
WHERE s.idea = {}
ORDER BY s.id
"""


async def list_status_changes(idea_id: int) -> list[StatusChangeView]:
    rows = await StatusChange.raw(STATUS_CHANGES_OF_IDEA, idea_id)
    return [
        StatusChangeView(
            **{
                **row,
                "from_status": Status(row["from_status"]),
                "to_status": Status(row["to_status"]),
            }
        )
        for row in rows
    ]
