"""Routing: who owns an idea, which department it is for, and the update that answers
it, saved from a triage row (one idea) or the bulk bar (several); the routing threshold
that puts an idea at the top of Needs owner. The lanes themselves are services.triage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ideaboard.db import contains_pattern, write_transaction
from ideaboard.domain import (
    Actor,
    Status,
    StatusRole,
    TriageRole,
    can_set_threshold,
    can_triage,
    can_update_status,
    needs_owner,
    status_update_problems,
    update_choices,
)
from ideaboard.i18n import gettext, number
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.events import EventKind, record_event
from ideaboard.services.follows import add_follower
from ideaboard.services.notifications import notify, notify_managers
from ideaboard.services.status_updates import MESSAGE_MAX, lock_idea, record_status_update
from ideaboard.services.triage import (
    CLOSED,
    LANE_SIZE,
    find_triage_role,
    list_managed_department_ids,
    require_triage_or_answer,
)
from ideaboard.services.validation import check_text, has_control_characters, parse_id
from ideaboard.tables import Department, Idea, User

THRESHOLD_MAX = 100_000


# --- People for the Owner field ---------------------------------------------------------

PERSON = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*$")


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    department: str

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"


async def list_people(actor: Actor, text: str, *, limit: int = 8) -> list[Person]:
    """Active people whose name or email contains the text, for the Owner suggestions:
    offered to those who route ideas (managers, moderators, admins)."""
    manages_any = bool(await list_managed_department_ids(actor.id))
    require(can_triage(actor, TriageRole(manages_department=manages_any)))
    text = " ".join(text.split())[:120]
    match = PERSON.match(text)
    if match:
        text = match["email"]
    if len(text) < 2 or has_control_characters(text):
        return []
    pattern = contains_pattern(text)
    rows = await User.raw(
        "SELECT a.id, a.name, a.email, d.name AS department FROM account a"
        " JOIN department d ON d.id = a.department"
        " WHERE a.active AND (LOWER(a.email) LIKE {} ESCAPE '\\'"
        " OR LOWER(a.name) LIKE {} ESCAPE '\\')"
        " ORDER BY a.name, a.id LIMIT {}",
        pattern,
        pattern,
        limit,
    )
    return [Person(**row) for row in rows]


async def resolve_owner(text: str) -> tuple[int | None, str | None]:
    """The person an Owner field names: "Name <email>" from the suggestions, an email
    typed in full, or a name that only one person has. Returns (id, None), or (None,
    the problem); blank is (None, None): no owner."""
    text = " ".join(text.split())
    if not text:
        return None, None
    if has_control_characters(text) or len(text) > 300:
        return None, gettext("Type a name or an email address.")
    match = PERSON.match(text)
    email = (match["email"] if match else text if "@" in text else "").lower()
    if email:
        row = await User.select(User.id, User.active).where(User.email == email).first()
        if row is None:
            return None, gettext("No one on the board has the email %(email)s.", email=email)
        if not row["active"]:
            return None, f"{email} is deactivated: choose someone else."
        return row["id"], None
    rows = await User.raw(
        "SELECT id FROM account WHERE active AND LOWER(name) = {} LIMIT 2", text.lower()
    )
    if not rows:
        return (
            None,
            gettext(
                "No one on the board is called %(name)s:"
                " pick from the suggestions or type an email.",
                name=text,
            ),
        )
    if len(rows) > 1:
        return None, gettext(
            "Several people are called %(name)s: type their email instead.", name=text
        )
    return rows[0]["id"], None


# --- Saving -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageInput:
    """One idea's row of the triage. A field left out of the form (None) stays as it is."""

    owner: str | None = None
    status: str | None = None
    message: str = ""
    department_id: str | None = None

    @classmethod
    def from_form(cls, form: Mapping[str, Any], prefix: str = "") -> TriageInput:
        def field(name: str) -> str | None:
            value = form.get(prefix + name)
            return None if value is None else str(value).strip()

        return cls(
            owner=field("owner"),
            status=field("status") or None,
            message=field("message") or "",
            department_id=field("department_id") or None,
        )


@dataclass(frozen=True)
class TriageResult:
    changed: list[str]  # what was done, said back to the person saving
    title: str


async def save_triage(actor: Actor, idea_id: int, form: TriageInput) -> TriageResult:
    """Route, re-route and answer an idea in one transaction with its row locked: two
    managers saving at once are applied one after the other, and both update messages
    are kept on the timeline."""
    errors: dict[str, str] = {}
    check_text(errors, "message", form.message, label=gettext("Update message"),
               max_length=MESSAGE_MAX, multiline=True, required=False)  # fmt: skip
    owner_id, owner_problem = (None, None)
    if form.owner is not None:
        owner_id, owner_problem = await resolve_owner(form.owner)
        if owner_problem:
            errors["owner"] = owner_problem
    changed: list[str] = []
    async with write_transaction():
        idea = await lock_idea(idea_id, actor)
        current = Status(idea["status"])
        role = await find_triage_role(actor, idea["department"])
        require_triage_or_answer(actor, role, is_owner=idea["owner"] == actor.id)
        new_owner = idea["owner"] if form.owner is None or owner_problem else owner_id
        new_department = idea["department"]
        if form.department_id is not None:
            new_department = parse_id(form.department_id) or 0
            if new_department != idea["department"]:
                target = (
                    await Department.select(Department.archived)
                    .where(Department.id == new_department)
                    .first()
                )
                if target is None or target["archived"]:
                    errors["department_id"] = gettext("Choose one of the departments offered.")
        if (new_owner != idea["owner"] and "owner" not in errors) or (
            new_department != idea["department"] and "department_id" not in errors
        ):
            require(can_triage(actor, role))
        chosen = form.status or ""
        new_status = Status(chosen) if chosen in Status.__members__.values() else None
        if form.status and new_status is None:
            errors["status"] = gettext("Choose one of the statuses offered.")
        wants_update = (new_status is not None and new_status is not current) or bool(form.message)
        if wants_update:
            status_role = StatusRole(
                is_owner=idea["owner"] == actor.id, manages_department=role.manages_department
            )
            require(can_update_status(actor, status_role))
            merged = idea["merged_into"] is not None
            allowed = update_choices(current, actor, status_role, merged=merged)
            errors |= status_update_problems(current, new_status or current, form.message, allowed)
        if errors:
            raise ValidationFailed(errors)

        if new_owner != idea["owner"]:
            await _route(actor, idea, new_owner)
            changed.append("owner")
        if new_department != idea["department"]:
            await _reroute(actor, idea, new_department)
            changed.append("department")
        if wants_update:
            # A new owner just heard it was routed to them: one notification is enough.
            told = [idea["owner"]] if "owner" in changed and idea["owner"] else []
            await record_status_update(
                actor, idea, new_status or current, form.message, already_told=told
            )
            changed.append("status" if new_status not in {None, current} else "update")
    return TriageResult(changed=changed, title=idea["title"])


async def _route(actor: Actor, idea: dict[str, Any], owner_id: int | None) -> None:
    moment = now()
    await Idea.update(
        {Idea.owner: owner_id, Idea.last_update_at: moment, Idea.needs_owner_since: None}
    ).where(Idea.id == idea["id"])
    names = {
        row["id"]: row["name"]
        for row in await User.select(User.id, User.name).where(
            User.id.is_in([i for i in (idea["owner"], owner_id, actor.id) if i] or [0])
        )
    }
    before, after = names.get(idea["owner"]), names.get(owner_id)
    await record_event(
        EventKind.IDEA_ROUTED, idea["id"], actor_id=actor.id, detail={"owner": after}
    )
    if owner_id is not None:
        await add_follower(owner_id, idea["id"])
        await notify(
            NotificationKind.ROUTED_TO_YOU, [owner_id], idea_id=idea["id"], actor_id=actor.id
        )
    await add_audit(
        actor, "idea.route", target_type="idea", target_id=idea["id"],
        summary=f"“{idea['title']}”: owner {before or 'none'} → {after or 'none'}",
        before=before, after=after,
    )  # fmt: skip
    idea["owner"] = owner_id


async def _reroute(actor: Actor, idea: dict[str, Any], department_id: int) -> None:
    departments = {
        row["id"]: row
        for row in await Department.select(
            Department.id, Department.name, Department.routing_threshold
        ).where(Department.id.is_in([idea["department"], department_id]))
    }
    target = departments[department_id]
    past = needs_owner(
        status=Status(idea["status"]), owner_id=idea["owner"], votes=idea["vote_count"],
        threshold=target["routing_threshold"],
    )  # fmt: skip
    await Idea.update(
        {
            Idea.department: department_id,
            Idea.needs_owner_since: now() if past else None,
            Idea.last_update_at: now(),
        }
    ).where(Idea.id == idea["id"])
    await notify_managers(
        NotificationKind.REROUTED, department_id, idea_id=idea["id"], actor_id=actor.id,
        detail={"department": target["name"]},
    )  # fmt: skip
    before = departments.get(idea["department"], {}).get("name")
    await record_event(
        EventKind.IDEA_ROUTED, idea["id"], actor_id=actor.id,
        detail={"department": target["name"], "from_department": before},
    )  # fmt: skip
    await add_audit(
        actor, "idea.reroute", target_type="idea", target_id=idea["id"],
        summary=f"“{idea['title']}”: {before} → {target['name']}",
        before=before, after=target["name"],
    )  # fmt: skip
    idea["department"] = department_id


async def check_routing_threshold(idea: dict[str, Any], votes: int, *, actor_id: int) -> None:
    """After a vote: an open, unowned idea reaching its department's threshold for the
    first time goes to the top of Needs owner and its managers hear of it. Call inside
    the vote's transaction; `idea` needs status, owner, department, routing_threshold,
    needs_owner_since, title and id."""
    if idea["needs_owner_since"] is not None or not needs_owner(
        status=Status(str(idea["status"])), owner_id=idea["owner"], votes=votes,
        threshold=idea["routing_threshold"],
    ):  # fmt: skip
        return
    await Idea.update({Idea.needs_owner_since: now()}).where(Idea.id == idea["id"])
    await record_event(
        EventKind.IDEA_THRESHOLD_REACHED, idea["id"], actor_id=actor_id,
        detail={"votes": votes, "threshold": idea["routing_threshold"]},
    )  # fmt: skip
    await notify_managers(
        NotificationKind.NEEDS_OWNER, idea["department"], idea_id=idea["id"], actor_id=actor_id,
        detail={"votes": votes},
    )  # fmt: skip


@dataclass(frozen=True)
class BulkResult:
    saved: int
    problems: dict[int, str]


async def save_bulk(actor: Actor, idea_ids: list[int], form: TriageInput) -> BulkResult:
    """The same change for several ideas, each in its own transaction: one idea refused
    (a closed idea cannot take that status) does not undo the others."""
    if not idea_ids:
        raise ValidationFailed({"idea_ids": gettext("Select at least one idea.")})
    if form.owner is None and form.status is None and form.department_id is None:
        raise ValidationFailed({"bulk": gettext("Choose an owner or a status to apply.")})
    saved = 0
    problems: dict[int, str] = {}
    for idea_id in idea_ids[: LANE_SIZE * 3]:
        try:
            await save_triage(actor, idea_id, form)
            saved += 1
        except ValidationFailed as failed:
            if set(failed.errors) & {"owner", "message"} and saved == 0 and not problems:
                raise  # the same for every idea: say it once, on the field
            problems[idea_id] = " ".join(failed.errors.values())
    return BulkResult(saved=saved, problems=problems)


# --- Thresholds and managers ------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    department: str
    votes: int


async def set_threshold(actor: Actor, department_id: int, raw: str) -> Threshold:
    """Change a department's routing threshold; ideas already past the new one move to
    the top of Needs owner, ideas below it leave the top."""
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7 or not 1 <= int(raw) <= THRESHOLD_MAX:
        raise ValidationFailed(
            {
                "threshold": gettext(
                    "Write a whole number of votes from 1 to %(max)s.", max=number(THRESHOLD_MAX)
                )
            }
        )
    threshold = int(raw)
    require(can_set_threshold(actor, await find_triage_role(actor, department_id)))
    async with write_transaction():
        department = (
            await Department.select(Department.name, Department.routing_threshold)
            .where(Department.id == department_id)
            .first()
        )
        if department is None:
            raise NotFound(gettext("This department does not exist."))
        await Department.update({Department.routing_threshold: threshold}).where(
            Department.id == department_id
        )
        await Idea.raw(
            "UPDATE idea SET needs_owner_since = {} WHERE department = {} AND owner IS NULL"
            " AND needs_owner_since IS NULL AND vote_count >= {}"
            " AND status NOT IN ({}, {}, {})",
            now(), department_id, threshold, *CLOSED,
        )  # fmt: skip
        await Idea.raw(
            "UPDATE idea SET needs_owner_since = NULL WHERE department = {} AND vote_count < {}",
            department_id, threshold,
        )  # fmt: skip
        await add_audit(
            actor, "department.threshold", target_type="department", target_id=department_id,
            summary=f"{department['name']}: routing threshold {department['routing_threshold']}"
            f" → {threshold} votes",
            before=department["routing_threshold"], after=threshold,
        )  # fmt: skip
    return Threshold(department=department["name"], votes=threshold)
