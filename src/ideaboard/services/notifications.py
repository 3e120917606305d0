"""Notifications: the bell and the /notifications page (their emails: notification_emails).

An event writes its notifications in its own transaction (so they are never lost and
never sent for something rolled back), to the people who may see what it is about.
Each person's preferences decide per kind: in the app and by email, in the app only,
or off. A notification keeps what happened (the idea, the other idea of a merge, the
status update, who did it) and says it when it is read: titles are current, and an
idea hidden since is named to nobody who may no longer see it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.domain import Status
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.live import nudge
from ideaboard.notification_kinds import Delivery, NotificationKind, delivery_for
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound
from ideaboard.services.visibility import seen_by_sql, visible_recipients
from ideaboard.tables import DepartmentManager, Notification, User
from ideaboard.wording import plural

PAGE_SIZE = 30


def parse_prefs(raw: str) -> dict[str, str]:
    try:
        prefs = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in prefs.items()} if isinstance(prefs, dict) else {}


async def notify(
    kind: NotificationKind,
    recipient_ids: Iterable[int],
    *,
    idea_id: int | None,
    actor_id: int | None,
    other_idea_id: int | None = None,
    status_change_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Tell these people; call inside the event's transaction. The actor is never told
    of their own action, nor anyone who turned this kind off, nor anyone who may not see
    an idea it names (`visibility`). Returns how many were."""
    ids = [i for i in recipient_ids if i != actor_id]
    for idea in (idea_id, other_idea_id):
        ids = await visible_recipients(idea, ids) if idea is not None else ids
    if not ids:
        return 0
    people = await User.select(User.id, User.notification_prefs).where(
        User.id.is_in(ids),
        User.active == True,  # noqa: E712
    )
    moment = now()
    rows = []
    for person in people:
        delivery = delivery_for(kind, parse_prefs(person["notification_prefs"]))
        if delivery is Delivery.OFF:
            continue
        rows.append(
            Notification(
                account=person["id"],
                kind=kind.value,
                idea=idea_id,
                other_idea=other_idea_id,
                actor=actor_id,
                status_change=status_change_id,
                detail=json.dumps(dict(detail or {})),
                created_at=moment,
                emailed="pending" if delivery is Delivery.EMAIL else "no",
            )
        )
    if rows:
        await Notification.insert(*rows)
        nudge(*(f"bell:{row.account}" for row in rows))
    return len(rows)


FOLLOWERS = "SELECT account FROM subscription WHERE idea = {}"


async def notify_followers(
    kind: NotificationKind,
    idea_id: int,
    *,
    actor_id: int | None,
    already_told: Iterable[int] = (),
    **what: Any,
) -> int:
    """Tell the idea's followers, but not those already told of the same action."""
    skip = set(already_told)
    rows = await Notification.raw(FOLLOWERS, idea_id)
    followers = [row["account"] for row in rows if row["account"] not in skip]
    return await notify(kind, followers, idea_id=idea_id, actor_id=actor_id, **what)


async def notify_managers(
    kind: NotificationKind, department_id: int, *, idea_id: int, actor_id: int | None, **what: Any
) -> int:
    rows = await DepartmentManager.select(DepartmentManager.manager).where(
        DepartmentManager.department == department_id
    )
    managers = (row["manager"] for row in rows)
    return await notify(kind, managers, idea_id=idea_id, actor_id=actor_id, **what)


# --- What a notification says ----------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: NotificationKind
    idea_id: int | None
    text: str  # what happened, in a sentence
    created_at: datetime
    read: bool
    # A status update's own words, for those who follow the idea (sanitised HTML).
    message_html: str = ""
    from_status: Status | None = None
    to_status: Status | None = None
    actor_name: str = ""


def sentence(row: Mapping[str, Any]) -> str:
    """What happened, from the notification's row joined with what it points at, in the
    reader's language (composed when read, so it follows their choice)."""
    if row.get("text"):
        return str(row["text"])  # written before notifications were composed when read
    kind = NotificationKind(row["kind"])
    detail = json.loads(row.get("detail") or "{}")
    event = detail.get("event", "")
    actor = row.get("actor_name") or gettext("Someone")
    title = row.get("idea_title") or gettext("an idea")
    other = row.get("other_title") or gettext("an idea")
    reason = detail.get("reason", "")
    names = {"actor": actor, "title": title, "other": other}
    if kind is NotificationKind.NEW_COMMENT:
        return gettext("%(actor)s commented on “%(title)s”.", **names)
    if kind is NotificationKind.STATUS_CHANGED:
        if event == "merged":
            return gettext("%(actor)s merged “%(other)s” into “%(title)s”.", **names)
        if event == "unmerged":
            return gettext(
                "%(actor)s undid the merge of “%(title)s”: it stands on its own again.", **names
            )
        to = Status(row["to_status"]) if row.get("to_status") else None
        if to is None or row.get("from_status") == row.get("to_status"):
            return gettext("%(actor)s posted an update on “%(title)s”.", **names)
        return gettext("%(actor)s moved “%(title)s” to %(status)s.", status=to.label, **names)
    if kind is NotificationKind.ROUTED_TO_YOU:
        manager = row.get("actor_name") or gettext("A manager")
        return gettext("%(manager)s routed “%(title)s” to you.", manager=manager, title=title)
    if kind is NotificationKind.REROUTED:
        department = detail.get("department") or gettext("your department")
        return gettext(
            "%(actor)s sent “%(title)s” to %(department)s: it needs an owner there.",
            department=department, **names,
        )  # fmt: skip
    if kind is NotificationKind.NEEDS_OWNER:
        votes = detail.get("votes")
        if isinstance(votes, int):
            return gettext(
                "“%(title)s” reached %(votes)s: route it to an owner.",
                title=title, votes=plural(votes, "vote"),
            )  # fmt: skip
        return gettext("“%(title)s” reached enough votes: route it to an owner.", title=title)
    if kind is NotificationKind.IDEA_MERGED:
        return gettext(
            "Your idea “%(title)s” was merged into “%(other)s”: its votes count there now.", **names
        )
    verdict = MODERATED[(event if event in EDITS else "", kind is NotificationKind.IDEA_APPROVED)]
    return str(verdict) % {"title": title, "reason": reason}


# What a moderator decided, by (what was moderated, approved?).
EDITS = ("edit", "comment_edit")
MODERATED = {
    ("edit", True): lazy_gettext("Your edit of the idea “%(title)s” was approved."),
    ("edit", False): lazy_gettext("Your edit of the idea “%(title)s” was not approved: %(reason)s"),
    ("comment_edit", True): lazy_gettext("Your edit of a comment on “%(title)s” was approved."),
    ("comment_edit", False): lazy_gettext(
        "Your edit of a comment on “%(title)s” was not approved: %(reason)s"
    ),
    ("", True): lazy_gettext("Your idea “%(title)s” was approved: everyone can see it now."),
    ("", False): lazy_gettext("Your idea “%(title)s” was not approved: %(reason)s"),
}


def notification_view(row: Mapping[str, Any]) -> NotificationView:
    return NotificationView(
        id=row["id"],
        kind=NotificationKind(row["kind"]),
        idea_id=row["idea_id"],
        text=sentence(row),
        created_at=row["created_at"],
        read=row["read_at"] is not None,
        message_html=row.get("message_html") or "",
        from_status=Status(row["from_status"]) if row.get("from_status") else None,
        to_status=Status(row["to_status"]) if row.get("to_status") else None,
        actor_name=row.get("actor_name") or "",
    )


# What a notification points at, for its sentence; and whether its reader may still see
# every idea it names. `{reader}` is the alias of the reader's account row.
COMPOSED = """
SELECT n.id, n.kind, n.idea AS idea_id, i.title AS idea_title, o.title AS other_title,
       ac.name AS actor_name, n.detail, n.text, sc.from_status, sc.to_status,
       sc.message_html, n.created_at, n.read_at
FROM notification n
JOIN account a ON a.id = n.account
LEFT JOIN idea i ON i.id = n.idea
LEFT JOIN idea o ON o.id = n.other_idea
LEFT JOIN account ac ON ac.id = n.actor
LEFT JOIN status_change sc ON sc.id = n.status_change
"""
COUNTED = """
SELECT COUNT(*) AS n
FROM notification n
JOIN account a ON a.id = n.account
LEFT JOIN idea i ON i.id = n.idea
LEFT JOIN idea o ON o.id = n.other_idea
"""
SEEN = f"{seen_by_sql('i', 'a.id', 'a.role')} AND {seen_by_sql('o', 'a.id', 'a.role')}"
MINE = f" WHERE n.account = {{}} AND {SEEN}"
UNREAD = " AND n.read_at IS NULL"


# --- Reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[NotificationView]
    unread: int
    next_before: int | None


async def count_unread(user_id: int) -> int:
    rows = await Notification.raw(COUNTED + MINE + UNREAD, user_id)
    return int(rows[0]["n"])


async def list_notifications(
    user_id: int, *, before: int | None = None, unread_only: bool = False
) -> NotificationPage:
    sql = COMPOSED + MINE + (UNREAD if unread_only else "")
    args: list[Any] = [user_id]
    if before:
        sql += " AND n.id < {}"
        args.append(before)
    rows = await Notification.raw(sql + " ORDER BY n.id DESC LIMIT {}", *args, PAGE_SIZE + 1)
    views = [notification_view(row) for row in rows[:PAGE_SIZE]]
    more = len(rows) > PAGE_SIZE
    return NotificationPage(
        notifications=views,
        unread=await count_unread(user_id),
        next_before=views[-1].id if more else None,
    )


async def open_notification(user_id: int, notification_id: int) -> int | None:
    """Mark one of my notifications read and return its idea (to go there next).
    Someone else's, or one about an idea I may no longer see, is not found."""
    rows = await Notification.raw(COMPOSED + MINE + " AND n.id = {}", user_id, notification_id)
    if not rows:
        raise NotFound(gettext("This notification does not exist."))
    await Notification.update({Notification.read_at: now()}).where(
        Notification.id == notification_id, Notification.read_at.is_null()
    )
    idea: int | None = rows[0]["idea_id"]
    return idea


async def mark_all_read(user_id: int) -> int:
    rows = (
        await Notification.update({Notification.read_at: now()})
        .where(Notification.account == user_id, Notification.read_at.is_null())
        .returning(Notification.id)
    )
    return len(rows)


async def mark_idea_read(user_id: int, idea_id: int) -> None:
    """Opening an idea reads what the bell said about it."""
    await Notification.update({Notification.read_at: now()}).where(
        Notification.account == user_id,
        Notification.idea == idea_id,
        Notification.read_at.is_null(),
    )


async def withdraw_unseen(status_change_id: int) -> list[int]:
    """Take back the notifications of a status change (a merge undone within moments)
    that nobody has read nor been emailed yet; returns whom they were for, who then need
    not hear of the undoing either."""
    rows = (
        await Notification.delete()
        .where(
            Notification.status_change == status_change_id,
            Notification.read_at.is_null(),
            Notification.emailed.is_in(["pending", "no"]),
        )
        .returning(Notification.account)
    )
    return sorted({row["account"] for row in rows})
