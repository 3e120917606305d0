"""Notifications: the bell, the /notifications page, and the emails made from them.

An event writes its notifications in its own transaction (so they are never lost and
never sent for something rolled back). Each person's preferences decide per kind:
in the app and by email, in the app only, or off. The email is made later by the
delivery loop (`email_notifications`), from the row, into the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Delivery, NotificationKind, delivery_for
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, queue_emails
from ideaboard.mail.render import EmailTemplates
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound
from ideaboard.services.visibility import seen_by_sql, visible_recipients
from ideaboard.tables import DepartmentManager, Notification, User

PAGE_SIZE = 30
EMAIL_BATCH = 200


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
    text: str,
) -> int:
    """Tell these people; call inside the event's transaction. The actor is never told
    of their own action, nor anyone who turned this kind off, nor anyone who may not see
    the idea (`visibility`). Returns how many were."""
    ids = await visible_recipients(idea_id, (i for i in recipient_ids if i != actor_id))
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
                actor=actor_id,
                text=text,
                created_at=moment,
                emailed="pending" if delivery is Delivery.EMAIL else "no",
            )
        )
    if rows:
        await Notification.insert(*rows)
    return len(rows)


FOLLOWERS = "SELECT account FROM subscription WHERE idea = {}"


async def notify_followers(
    kind: NotificationKind,
    idea_id: int,
    *,
    actor_id: int | None,
    text: str,
    already_told: Iterable[int] = (),
) -> int:
    """Tell the idea's followers, but not those already told of the same action."""
    skip = set(already_told)
    rows = await Notification.raw(FOLLOWERS, idea_id)
    followers = (row["account"] for row in rows if row["account"] not in skip)
    return await notify(kind, followers, idea_id=idea_id, actor_id=actor_id, text=text)


async def notify_managers(
    kind: NotificationKind,
    department_id: int,
    *,
    idea_id: int,
    actor_id: int | None,
    text: str,
) -> int:
    rows = await DepartmentManager.select(DepartmentManager.manager).where(
        DepartmentManager.department == department_id
    )
    return await notify(
        kind, (row["manager"] for row in rows), idea_id=idea_id, actor_id=actor_id, text=text
    )


# --- Reading ------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: NotificationKind
    idea_id: int | None
    idea_title: str | None
    text: str
    created_at: datetime
    read: bool


@dataclass(frozen=True)
class NotificationPage:
    notifications: list[NotificationView]
    unread: int
    next_before: int | None


# The reader's notifications about ideas they may still see: an idea hidden, or sent
# back to the moderators, after the notification was written is not named to them.
MINE = (
    "FROM notification n JOIN account a ON a.id = n.account LEFT JOIN idea i ON i.id = n.idea"
    " WHERE n.account = {} AND " + seen_by_sql("i", "a.id", "a.role")
)
UNREAD = " AND n.read_at IS NULL"


async def count_unread(user_id: int) -> int:
    rows = await Notification.raw("SELECT COUNT(*) AS n " + MINE + UNREAD, user_id)
    return int(rows[0]["n"])


async def list_notifications(
    user_id: int, *, before: int | None = None, unread_only: bool = False
) -> NotificationPage:
    sql = (
        "SELECT n.id, n.kind, n.idea AS idea_id, i.title AS idea_title, n.text, n.created_at,"
        " n.read_at " + MINE + (UNREAD if unread_only else "")
    )
    args: list[Any] = [user_id]
    if before:
        sql += " AND n.id < {}"
        args.append(before)
    rows = await Notification.raw(sql + " ORDER BY n.id DESC LIMIT {}", *args, PAGE_SIZE + 1)
    views = [
        NotificationView(
            id=row["id"],
            kind=NotificationKind(row["kind"]),
            idea_id=row["idea_id"],
            idea_title=row["idea_title"],
            text=row["text"],
            created_at=row["created_at"],
            read=row["read_at"] is not None,
        )
        for row in rows[:PAGE_SIZE]
    ]
    more = len(rows) > PAGE_SIZE
    return NotificationPage(
        notifications=views,
        unread=await count_unread(user_id),
        next_before=views[-1].id if more else None,
    )


async def open_notification(user_id: int, notification_id: int) -> int | None:
    """Mark one of my notifications read and return its idea (to go there next).
    Someone else's, or one about an idea I may no longer see, is not found."""
    rows = await Notification.raw("SELECT n.id, n.idea " + MINE + " AND n.id = {}", user_id,
                                  notification_id)  # fmt: skip
    if not rows:
        raise NotFound("This notification")
    await Notification.update({Notification.read_at: now()}).where(
        Notification.id == notification_id, Notification.read_at.is_null()
    )
    idea: int | None = rows[0]["idea"]
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


# --- Email ------------------------------------------------------------------------

PENDING = f"""
SELECT n.id, n.kind, n.text, n.idea, i.title AS idea_title, a.email, a.name, a.active,
       {seen_by_sql("i", "a.id", "a.role")} AS visible
FROM notification n
JOIN account a ON a.id = n.account
LEFT JOIN idea i ON i.id = n.idea
WHERE n.emailed = 'pending'
ORDER BY n.id
LIMIT {{}}
"""  # noqa: S608 (only constants go in: the visibility rule)


def render_notification(row: dict[str, Any], templates: EmailTemplates) -> Email:
    kind = NotificationKind(row["kind"])
    text, html = templates.render(
        "notification",
        reader_name=row["name"],
        text=row["text"],
        idea_id=row["idea"],
        idea_title=row["idea_title"],
        kind=kind,
    )
    subject = row["text"] if len(row["text"]) <= 120 else row["text"][:119] + "…"
    return Email(
        to=row["email"],
        subject=subject,
        text=text,
        html=html,
        headers={"Auto-Submitted": "auto-generated"},
    )


async def email_notifications(templates: EmailTemplates, *, domain: str) -> int:
    """Turn notifications waiting for their email into outbox emails, in one transaction
    per batch: each notification becomes exactly one email (key `notification:<id>`).
    The idea's visibility is checked again here: one hidden since the notification was
    written is mailed to nobody who may no longer see it. Returns how many were queued."""
    queued = 0
    while True:
        async with write_transaction():
            rows = await Notification.raw(PENDING, EMAIL_BATCH)
            if not rows:
                return queued
            items = [
                Queued(
                    email=render_notification(row, templates),
                    dedupe_key=f"notification:{row['id']}",
                    kind=f"notification:{row['kind']}",
                )
                for row in rows
                if row["active"] and row["visible"]
            ]
            queued += await queue_emails(items, domain=domain)
            await Notification.update({Notification.emailed: "sent"}).where(
                Notification.id.is_in([row["id"] for row in rows])
            )
        if len(rows) < EMAIL_BATCH:
            return queued
