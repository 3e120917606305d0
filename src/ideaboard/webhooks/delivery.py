"""Delivering what the fan-out queued: claim due deliveries with a lease (as the email
outbox does), look again at what each tells of, sign, send, and record the answer.

Retries follow `RETRY_DELAYS`, about three days in all, each delay with jitter. A
receiver that answers 410 Gone is switched off at once; one whose last retry fails,
with nothing delivered to it since that message was queued, is switched off too. Either
way every admin gets an email, and /admin says why.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import Webhook

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import Role
from ideaboard.i18n import gettext, in_language
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, queue_emails
from ideaboard.services.clock import now
from ideaboard.services.organisation import find_organisation
from ideaboard.services.visibility import EVERYONE, sees
from ideaboard.services.webhooks import switched_off_text
from ideaboard.tables import Comment, Idea, User, WebhookDelivery, WebhookEndpoint
from ideaboard.webhooks.sender import Answer, Network, post

log = logging.getLogger("ideaboard.webhooks")

LEASE = timedelta(minutes=2)
# After the first attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 20 h (~72 h).
RETRY_DELAYS = tuple(
    timedelta(seconds=s) for s in (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 72000)
)
MOST_ATTEMPTS = len(RETRY_DELAYS) + 1


def retry_delay(attempts: int, *, jitter: Callable[[], float] = random.random) -> timedelta:
    """The wait after the `attempts`-th failed attempt, give or take a fifth."""
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1] * (0.8 + 0.4 * jitter())


CLAIM = """
UPDATE webhook_delivery SET lease_until = {{}}, attempts = attempts + 1
WHERE id IN (
    SELECT d.id FROM webhook_delivery d
    JOIN webhook_endpoint e ON e.id = d.endpoint
    WHERE d.state = 'waiting' AND d.next_attempt_at <= {{}} AND e.active
      AND (d.lease_until IS NULL OR d.lease_until < {{}})
    ORDER BY d.next_attempt_at, d.id LIMIT {{}} {skip_locked}
)
RETURNING id, endpoint, idea, comment, message_id, body, attempts, created_at
"""
CLAIM_SQLITE = CLAIM.format(skip_locked="")
CLAIM_POSTGRES = CLAIM.format(skip_locked="FOR UPDATE OF d SKIP LOCKED")


@dataclass(frozen=True)
class Target:
    id: int
    url: str
    format: str
    description: str
    secrets: tuple[str, ...]  # the current secret, and the previous one while it lasts


@dataclass
class RoundReport:
    delivered: int = 0
    failed: int = 0  # will be tried again
    gave_up: int = 0
    withdrawn: int = 0


async def claim_due(limit: int, at: datetime) -> list[dict[str, Any]]:
    if not await WebhookDelivery.exists().where(
        WebhookDelivery.state == "waiting", WebhookDelivery.next_attempt_at <= at
    ):
        return []  # the usual case: a read, not the write lock
    async with write_transaction():
        rows = await WebhookDelivery.raw(
            CLAIM_SQLITE if is_sqlite() else CLAIM_POSTGRES, at + LEASE, at, at, limit
        )
    return sorted(rows, key=lambda row: row["id"])  # RETURNING keeps no order: events do


async def find_targets(endpoint_ids: set[int], at: datetime) -> dict[int, Target]:
    rows = await WebhookEndpoint.select().where(WebhookEndpoint.id.is_in(sorted(endpoint_ids)))
    targets = {}
    for row in rows:
        secrets = [row["secret"]]
        until = row["previous_secret_until"]
        if row["previous_secret"] and until is not None and until > at:
            secrets.append(row["previous_secret"])
        targets[row["id"]] = Target(
            id=row["id"], url=row["url"], format=row["format"],
            description=row["description"], secrets=tuple(s for s in secrets if s),
        )  # fmt: skip
    return targets


async def still_public(delivery: dict[str, Any]) -> bool:
    """May the board's public still see what this message tells of?"""
    if delivery["idea"] is not None:
        idea = await Idea.select(Idea.author, Idea.approval, Idea.hidden).where(
            Idea.id == delivery["idea"]
        ).first()  # fmt: skip
        if idea is None or not sees(EVERYONE, idea):
            return False
    if delivery["comment"] is not None:
        comment = await Comment.select(Comment.author, Comment.approval, Comment.hidden).where(
            Comment.id == delivery["comment"]
        ).first()  # fmt: skip
        if comment is None or not sees(EVERYONE, comment):
            return False
    return True


def signed_headers(target: Target, message_id: str, body: str, at: datetime) -> dict[str, str]:
    """Standard Webhooks headers; during a rotation, one signature per live secret."""
    if target.format != "standard":
        return {}  # Slack and Teams take the URL's own secret instead
    signatures = " ".join(Webhook(secret).sign(message_id, at, body) for secret in target.secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }


async def attempt(
    delivery: dict[str, Any], target: Target, *, networks: tuple[Network, ...], seconds: float
) -> Answer:
    at = now()
    headers = signed_headers(target, delivery["message_id"], delivery["body"], at)
    return await post(
        target.url, delivery["body"].encode(), headers, networks=networks, seconds=seconds
    )


async def deliver_due(
    mailer: Mailer, *, networks: tuple[Network, ...], seconds: float, batch: int = 50
) -> RoundReport:
    """Send every due delivery, batch by batch, until none is due."""
    report = RoundReport()
    while claimed := await claim_due(batch, now()):
        targets = await find_targets({row["endpoint"] for row in claimed}, now())
        for delivery in claimed:
            target = targets[delivery["endpoint"]]
            if not await still_public(delivery):
                await finish(delivery["id"], "withdrawn", Answer(None, error="Withdrawn: hidden"))
                report.withdrawn += 1
                continue
            answer = await attempt(delivery, target, networks=networks, seconds=seconds)
            await record(delivery, target, answer, report, mailer)
    return report


async def finish(delivery_id: int, state: str, answer: Answer) -> None:
    async with write_transaction():
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: state,
                WebhookDelivery.finished_at: now(),
                WebhookDelivery.lease_until: None,
                WebhookDelivery.last_status: answer.status,
                WebhookDelivery.last_error: answer.error[:1000],
                WebhookDelivery.last_response: answer.body[:1000],
            }
        ).where(WebhookDelivery.id == delivery_id)


async def record(
    delivery: dict[str, Any], target: Target, answer: Answer, report: RoundReport, mailer: Mailer
) -> None:
    if answer.delivered:
        await finish(delivery["id"], "delivered", answer)
        report.delivered += 1
        return
    log.info("webhook %s to %s: %s %s", delivery["id"], target.url, answer.status, answer.error)
    if answer.status == 410:
        await finish(delivery["id"], "failed", answer)
        await switch_off(target, "gone", mailer)
        report.gave_up += 1
    elif delivery["attempts"] >= MOST_ATTEMPTS:
        await finish(delivery["id"], "failed", answer)
        report.gave_up += 1
        if not await delivered_since(target.id, delivery["created_at"]):
            await switch_off(target, "retries", mailer)
    else:
        async with write_transaction():
            await WebhookDelivery.update(
                {
                    WebhookDelivery.lease_until: None,
                    WebhookDelivery.next_attempt_at: now() + retry_delay(delivery["attempts"]),
                    WebhookDelivery.last_status: answer.status,
                    WebhookDelivery.last_error: answer.error[:1000],
                    WebhookDelivery.last_response: answer.body[:1000],
                }
            ).where(WebhookDelivery.id == delivery["id"])
        report.failed += 1


async def delivered_since(endpoint_id: int, since: datetime) -> bool:
    return await WebhookDelivery.exists().where(
        WebhookDelivery.endpoint == endpoint_id,
        WebhookDelivery.state == "delivered",
        WebhookDelivery.finished_at >= since,
    )


async def switch_off(target: Target, reason: str, mailer: Mailer) -> None:
    """Stop sending to this receiver, fail what waits for it, and tell every admin.
    `reason` is a key of `services.webhooks.SWITCHED_OFF`."""
    async with write_transaction():
        changed = await WebhookEndpoint.update(
            {WebhookEndpoint.active: False, WebhookEndpoint.disabled_reason: reason}
        ).where(WebhookEndpoint.id == target.id, WebhookEndpoint.active.eq(True)).returning(
            WebhookEndpoint.id
        )  # fmt: skip
        if not changed:
            return  # another process switched it off a moment ago
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: "failed",
                WebhookDelivery.finished_at: now(),
                WebhookDelivery.last_error: "The endpoint was switched off.",
            }
        ).where(WebhookDelivery.endpoint == target.id, WebhookDelivery.state == "waiting")
        await queue_emails(await _admin_emails(target, reason, mailer), domain=mailer.domain)
    log.warning("webhook endpoint %s (%s) switched off: %s", target.id, target.url, reason)


async def _admin_emails(target: Target, reason: str, mailer: Mailer) -> list[Queued]:
    admins = await User.select(User.id, User.name, User.email, User.language).where(
        User.role == Role.ADMIN.value, User.active.eq(True)
    )
    organisation = await find_organisation()
    board_language = organisation.language if organisation else None
    moment = now().strftime("%Y%m%d%H%M%S")
    emails = []
    for admin in admins:
        with in_language(admin["language"] or board_language):
            text, html = mailer.templates.render(
                "webhook_disabled", reader_name=admin["name"], url=target.url,
                description=target.description, reason=switched_off_text(reason),
                link=mailer.templates.url("/admin/webhooks"),
            )  # fmt: skip
            subject = gettext("A webhook was switched off")
        emails.append(
            Queued(
                Email(to=admin["email"], subject=subject, text=text, html=html),
                dedupe_key=f"webhook-off:{target.id}:{moment}:{admin['id']}",
                kind="webhook",
            )
        )
    return emails
