"""The emails made from notifications, by the delivery loop.

Notifications about one idea to one person within a few minutes are one email, with
the latest: a manager who fixes a typo in an update right after posting it sends one
email, not two, and a merge undone at once sends none (`notifications.withdraw_unseen`).
So a notification waits `delay` before it is mailed, and the idea's visibility is
checked again then: one hidden meanwhile is mailed to nobody who may no longer see it.
Each email can be stopped in one click (List-Unsubscribe), for its kind only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.i18n import ENGLISH, Reading, in_language, reading
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, queue_emails
from ideaboard.markup import plain_text
from ideaboard.services.clock import now
from ideaboard.services.notifications import COMPOSED, SEEN, notification_view
from ideaboard.services.organisation import current_organisation
from ideaboard.services.unsubscribe import one_click_headers, unsubscribe_path
from ideaboard.tables import Notification

EMAIL_BATCH = 200
DEFAULT_DELAY = timedelta(minutes=3)

# Every notification waiting for its email, with what its sentence needs, whether its
# reader may still see what it names, and whom to write to.
RECIPIENT = (
    f"n.account, a.email, a.name AS reader_name, a.active, a.language AS reader_language,"
    f" {SEEN} AS visible,"
)
PENDING = COMPOSED.replace("SELECT n.id,", f"SELECT n.id, {RECIPIENT}", 1) + (
    " WHERE n.emailed = 'pending' AND n.id > {} ORDER BY n.id LIMIT {}"
)


def render_notification_email(
    row: dict[str, Any], mailer: Mailer, *, earlier: int = 0, board: Reading = ENGLISH
) -> Email:
    """One notification's email, in its reader's language (else the board's); `earlier`
    counts the ones it stands in for."""
    with in_language(row.get("reader_language") or board.language, board.zone):
        return _notification_email(row, mailer, earlier=earlier)


def _notification_email(row: dict[str, Any], mailer: Mailer, *, earlier: int) -> Email:
    view = notification_view(row)
    unsubscribe = mailer.templates.url(
        unsubscribe_path(mailer.secret, row["account"], view.kind.value)
    )
    text, html = mailer.templates.render(
        "notification",
        reader_name=row["reader_name"],
        n=view,
        message_text=plain_text(view.message_html) if view.message_html else "",
        earlier=earlier,
        unsubscribe=unsubscribe,
    )
    subject = view.text if len(view.text) <= 120 else view.text[:119] + "…"
    return Email(
        to=row["email"],
        subject=subject,
        text=text,
        html=html,
        headers={**one_click_headers(unsubscribe), "Auto-Submitted": "auto-generated"},
    )


async def email_notifications(
    mailer: Mailer, *, delay: timedelta = DEFAULT_DELAY, moment: datetime | None = None
) -> int:
    """Turn notifications waiting for their email into outbox emails, one per person and
    idea for what happened within `delay` of each other, once the latest is `delay` old.
    Exactly once: the email's key is its latest notification's. Returns how many."""
    moment = moment or now()
    board = reading(await current_organisation())
    queued = 0
    after = 0
    while True:
        async with write_transaction():
            rows = await Notification.raw(PENDING, after, EMAIL_BATCH)
            if not rows:
                return queued
            after = rows[-1]["id"]
            groups: dict[tuple[int, int | None], list[dict[str, Any]]] = defaultdict(list)
            for row in rows:
                groups[(row["account"], row["idea_id"])].append(row)
            ready = [g for g in groups.values() if g[-1]["created_at"] <= moment - delay]
            items = [
                Queued(
                    email=render_notification_email(
                        group[-1], mailer, earlier=len(group) - 1, board=board
                    ),
                    dedupe_key=f"notification:{group[-1]['id']}",
                    kind=f"notification:{group[-1]['kind']}",
                )
                for group in ready
                if group[-1]["active"] and group[-1]["visible"]
            ]
            queued += await queue_emails(items, domain=mailer.domain)
            done = [row["id"] for group in ready for row in group]
            if done:
                await Notification.update({Notification.emailed: "sent"}).where(
                    Notification.id.is_in(done)
                )
        if len(rows) < EMAIL_BATCH:
            return queued
