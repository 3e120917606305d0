"""The audit log: every moderator and admin action, who did it, and what changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.domain import Actor
from ideaboard.i18n import lazy_gettext
from ideaboard.services.clock import now
from ideaboard.tables import AuditEntry, User

PAGE_SIZE = 50

# Worded in the reader's language when shown.
ACTIONS: dict[str, Any] = {
    "idea.route": lazy_gettext("Routed an idea"),
    "idea.reroute": lazy_gettext("Moved an idea to another department"),
    "idea.status": lazy_gettext("Changed an idea's status"),
    "idea.merge": lazy_gettext("Merged a duplicate"),
    "idea.unmerge": lazy_gettext("Undid a merge"),
    "idea.approve": lazy_gettext("Approved an idea"),
    "idea.reject": lazy_gettext("Rejected an idea"),
    "idea.hide": lazy_gettext("Hid an idea"),
    "idea.restore": lazy_gettext("Restored an idea"),
    "edit.approve": lazy_gettext("Approved an edit"),
    "edit.reject": lazy_gettext("Rejected an edit"),
    "comment.approve": lazy_gettext("Approved a comment"),
    "comment.reject": lazy_gettext("Rejected a comment"),
    "comment.hide": lazy_gettext("Hid a comment"),
    "comment.restore": lazy_gettext("Restored a comment"),
    "flag.dismiss": lazy_gettext("Dismissed a flag"),
    "file.remove": lazy_gettext("Removed a picture or file"),
    "file.restore": lazy_gettext("Restored a picture or file"),
    "department.create": lazy_gettext("Added a department"),
    "department.rename": lazy_gettext("Renamed a department"),
    "department.archive": lazy_gettext("Archived or restored a department"),
    "department.threshold": lazy_gettext("Changed a routing threshold"),
    "department.managers": lazy_gettext("Changed a department's managers"),
    "user.role": lazy_gettext("Changed a person's role"),
    "user.active": lazy_gettext("Deactivated or reactivated a person"),
    "user.erased": lazy_gettext("Erased a person"),
    "board.export": lazy_gettext("Downloaded the whole board"),
    "board.import": lazy_gettext("Imported ideas from another tool"),
    "user.directory": lazy_gettext("The company directory changed a person's role or department"),
    "sso.created": lazy_gettext("Joined through the company sign-in"),
    "sso.linked": lazy_gettext("Linked an account to the company sign-in"),
    "sso.refused": lazy_gettext("Refused a company sign-in"),
    "scim.token": lazy_gettext("Made or revoked a provisioning token"),
    "scim.user": lazy_gettext("The company directory provisioned a person"),
    "settings.update": lazy_gettext("Changed the board's settings"),
    "email.retry": lazy_gettext("Retried a failed email"),
    "webhook.endpoint": lazy_gettext("Added, changed or removed a webhook"),
    "webhook.redeliver": lazy_gettext("Sent a webhook message again"),
    "department.channel": lazy_gettext("Connected or disconnected a Slack or Teams channel"),
}


async def add_audit(
    actor: Actor | None,
    action: str,
    *,
    target_type: str,
    target_id: int,
    summary: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record an action; call inside the action's own transaction. No actor: the
    company directory acted, or someone not signed in (a refused company sign-in)."""
    assert action in ACTIONS, action
    await AuditEntry.insert(
        AuditEntry(
            actor=actor.id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            summary=summary,
            details=json.dumps({"before": before, "after": after}, default=str),
            created_at=now(),
        )
    )


@dataclass(frozen=True)
class AuditView:
    id: int
    actor_name: str | None
    action: str
    target_type: str
    target_id: int
    summary: str
    before: Any
    after: Any
    created_at: datetime

    @property
    def action_label(self) -> str:
        return str(ACTIONS.get(self.action, self.action))


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditView]
    next_before: int | None


async def list_audit(
    *, action: str = "", actor_id: int | None = None, before: int | None = None
) -> AuditPage:
    """Newest first, a page at a time, filtered by action and by who acted."""
    query = AuditEntry.select(
        AuditEntry.id,
        AuditEntry.actor.name.as_alias("actor_name"),
        AuditEntry.action,
        AuditEntry.target_type,
        AuditEntry.target_id,
        AuditEntry.summary,
        AuditEntry.details,
        AuditEntry.created_at,
    )
    if action in ACTIONS:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor == actor_id)
    if before:
        query = query.where(AuditEntry.id < before)
    rows = await query.order_by(AuditEntry.id, ascending=False).limit(PAGE_SIZE + 1)
    entries = []
    for row in rows[:PAGE_SIZE]:
        details = json.loads(row.pop("details") or "{}")
        entries.append(AuditView(**row, before=details.get("before"), after=details.get("after")))
    more = len(rows) > PAGE_SIZE
    return AuditPage(entries=entries, next_before=entries[-1].id if more else None)


async def list_auditors() -> list[tuple[int, str]]:
    """People who appear in the log as actors, for the filter."""
    rows = await User.raw(
        "SELECT DISTINCT a.id, a.name FROM audit_entry e JOIN account a ON a.id = e.actor"
        " ORDER BY a.name"
    )
    return [(row["id"], row["name"]) for row in rows]
