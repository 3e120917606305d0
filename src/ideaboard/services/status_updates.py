"""Official status updates: the idea's public timeline, and the only way its status moves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import (
    Actor,
    Status,
    StatusRole,
    can_update_status,
    next_statuses,
    status_update_problems,
)
from ideaboard.markup import render_markdown
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.validation import check_text
from ideaboard.tables import DepartmentManager, Idea, StatusChange

MESSAGE_MAX = 5000


@dataclass(frozen=True)
class StatusUpdateInput:
    status: str
    message: str

    @classmethod
    def from_form(cls, form: Any) -> StatusUpdateInput:
        return cls(status=form.get("status", "").strip(), message=form.get("message", "").strip())

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


async def list_status_options(actor: Actor, idea_id: int) -> tuple[Status, ...]:
    """The statuses this person may give the idea now (empty: they may not update it)."""
    idea = (
        await Idea.select(Idea.status, Idea.owner, Idea.department)
        .where(Idea.id == idea_id)
        .first()
    )
    if idea is None:
        raise NotFound("This idea")
    role = await find_status_role(actor, owner_id=idea["owner"], department_id=idea["department"])
    return next_statuses(Status(idea["status"]), actor, role)


async def update_status(actor: Actor, idea_id: int, form: StatusUpdateInput) -> None:
    """Move the idea to a new status with a message for its followers, in one transaction
    with the idea's row locked, so two updates at once cannot both start from the same
    status."""
    errors: dict[str, str] = {}
    check_text(errors, "message", form.message, label="Update message",
               max_length=MESSAGE_MAX, multiline=True, required=False)  # fmt: skip
    async with write_transaction():
        query = Idea.select(Idea.status, Idea.owner, Idea.department).where(Idea.id == idea_id)
        idea = await (query if is_sqlite() else query.lock_rows()).first()
        if idea is None:
            raise NotFound("This idea")
        current = Status(idea["status"])
        role = await find_status_role(
            actor, owner_id=idea["owner"], department_id=idea["department"]
        )
        require(can_update_status(actor, role))
        allowed = next_statuses(current, actor, role)
        errors = status_update_problems(current, form.new_status, form.message, allowed) | errors
        if errors:
            raise ValidationFailed(errors)
        assert form.new_status is not None
        moment = now()
        await StatusChange.insert(
            StatusChange(
                idea=idea_id,
                from_status=current.value,
                to_status=form.new_status.value,
                author=actor.id,
                message=form.message,
                message_html=render_markdown(form.message),
                created_at=moment,
            )
        )
        # updated_at stays: it dates edits of the idea's text ("edited 2 days ago").
        await Idea.update({Idea.status: form.new_status.value}).where(Idea.id == idea_id)


async def list_status_changes(idea_id: int) -> list[StatusChangeView]:
    rows = (
        await StatusChange.select(
            StatusChange.id,
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.author.name.as_alias("author_name"),
            StatusChange.message_html,
            StatusChange.created_at,
        )
        .where(StatusChange.idea == idea_id)
        .order_by(StatusChange.id)
    )
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
