"""The transactional outbox: queue an email with the event that caused it, deliver later.

Delivery claims rows with a lease, so several processes may deliver at once and each
email goes to exactly one of them; a process that dies mid-round leaves leases that
run out, and its emails are claimed again. An email is marked sent only after the
transport accepted it: a crash between the two can repeat that one email, never lose it.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.domain import Actor, can_administer
from ideaboard.i18n import gettext
from ideaboard.mail.message import Email, StoredEmail, new_message_id
from ideaboard.mail.transports import Transport
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, require
from ideaboard.tables import OutboxEmail

log = logging.getLogger("ideaboard.mail")

LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MOST = timedelta(hours=6)


@dataclass(frozen=True)
class Queued:
    email: Email
    dedupe_key: str
    kind: str


async def queue_emails(items: Iterable[Queued], *, domain: str) -> int:
    """Add emails to the outbox; call inside the transaction of the event that caused
    them. A dedupe key already in the outbox is skipped: returns how many were added."""
    moment = now()
    rows = [
        OutboxEmail(
            dedupe_key=item.dedupe_key,
            kind=item.kind,
            to_address=item.email.to,
            subject=item.email.subject,
            text_body=item.email.text,
            html_body=item.email.html,
            headers=json.dumps(item.email.headers),
            message_id=new_message_id(domain),
            created_at=moment,
            attempts=0,
            next_attempt_at=moment,
        )
        for item in items
    ]
    if not rows:
        return 0
    added = (
        await OutboxEmail.insert(*rows).on_conflict(action="DO NOTHING").returning(OutboxEmail.id)
    )
    return len(added)


async def find_queued_keys(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    rows = await OutboxEmail.select(OutboxEmail.dedupe_key).where(
        OutboxEmail.dedupe_key.is_in(keys)
    )
    return {row["dedupe_key"] for row in rows}


CLAIM = """
UPDATE outbox_email SET lease_until = {{}}, attempts = attempts + 1
WHERE id IN (
    SELECT id FROM outbox_email
    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= {{}}
      AND (lease_until IS NULL OR lease_until < {{}})
    ORDER BY next_attempt_at, id LIMIT {{}} {skip_locked}
)
RETURNING id, to_address, subject, text_body, html_body, headers, message_id, attempts
"""
CLAIM_SQLITE = CLAIM.format(skip_locked="")  # BEGIN IMMEDIATE already serialises claims
CLAIM_POSTGRES = CLAIM.format(skip_locked="FOR UPDATE SKIP LOCKED")


async def claim_due(
    limit: int, *, lease: timedelta = LEASE, at: datetime | None = None
) -> list[StoredEmail]:
    """Take up to `limit` due emails for this process, oldest first."""
    moment = at or now()
    async with write_transaction():
        rows = await OutboxEmail.raw(
            CLAIM_SQLITE if is_sqlite() else CLAIM_POSTGRES,
            moment + lease,
            moment,
            moment,
            limit,
        )
    return sorted((StoredEmail.from_row(row) for row in rows), key=lambda email: email.id)


async def sent_emails(email_ids: list[int]) -> list[StoredEmail]:
    if not email_ids:
        return []
    rows = await OutboxEmail.select().where(
        OutboxEmail.id.is_in(email_ids), OutboxEmail.sent_at.is_not_null()
    )
    return [StoredEmail.from_row(row) for row in rows]


async def mark_sent(email_id: int) -> None:
    async with write_transaction():
        await OutboxEmail.update(
            {OutboxEmail.sent_at: now(), OutboxEmail.lease_until: None, OutboxEmail.last_error: ""}
        ).where(OutboxEmail.id == email_id)


async def release(email_ids: list[int]) -> None:
    """Hand claimed emails back unsent, as if this process had never claimed them."""
    if email_ids:
        async with write_transaction():
            await OutboxEmail.update(
                {OutboxEmail.lease_until: None, OutboxEmail.attempts: OutboxEmail.attempts - 1}
            ).where(OutboxEmail.id.is_in(email_ids), OutboxEmail.sent_at.is_null())


def backoff(attempts: int, *, jitter: Callable[[], float] = random.random) -> timedelta:
    """Exponential, capped, with jitter (half to one and a half times the delay), so
    many failed emails do not all come back in the same second."""
    delay = min(BACKOFF_MOST, BACKOFF_FIRST * 2 ** max(attempts - 1, 0))
    return delay * (0.5 + jitter())


async def mark_failed(email: StoredEmail, error: str, *, max_attempts: int) -> bool:
    """Schedule a retry, or give up after `max_attempts`; True when it gave up."""
    moment = now()
    gave_up = email.attempts >= max_attempts
    values: dict[Any, Any] = {OutboxEmail.lease_until: None, OutboxEmail.last_error: error[:2000]}
    if gave_up:
        values[OutboxEmail.failed_at] = moment
    else:
        values[OutboxEmail.next_attempt_at] = moment + backoff(email.attempts)
    async with write_transaction():
        await OutboxEmail.update(values).where(OutboxEmail.id == email.id)
    return gave_up


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0  # will be tried again
    gave_up: int = 0


async def deliver_due(
    transport: Transport,
    *,
    max_attempts: int,
    lease: timedelta = LEASE,
    batch: int = 100,
    on_sent: Callable[[int], None] | None = None,
) -> DeliveryReport:
    """Deliver due emails until none are left, or the transport is down.

    A round stops early, handing back what it has not sent, before its lease could run
    out: another process may claim those emails then, and must not send them twice.
    (The first email of a round always goes: it was claimed a moment ago.)
    """
    report = DeliveryReport()
    while claimed := await claim_due(batch, lease=lease):
        deadline = now() + lease * 0.8
        sent_before = report.sent
        async with transport.session() as sender:
            for position, email in enumerate(claimed):
                if position and now() > deadline:
                    await release([unsent.id for unsent in claimed[position:]])
                    break
                try:
                    await sender.send(email)
                except Exception as error:  # any transport failure is retried, never lost
                    log.warning("email %s to %s not sent: %s", email.id, email.to, error)
                    reason = f"{type(error).__name__}: {error}"
                    if await mark_failed(email, reason, max_attempts=max_attempts):
                        report.gave_up += 1
                    else:
                        report.failed += 1
                    continue
                await mark_sent(email.id)
                report.sent += 1
                if on_sent:
                    on_sent(report.sent)
        if report.sent == sent_before:
            break  # nothing went through: the transport is down; wait for the backoff
    return report


# --- what admins see at /admin/outbox ---------------------------------------------


@dataclass(frozen=True)
class OutboxCounts:
    waiting: int
    sent_last_day: int
    failed: int


async def count_outbox() -> OutboxCounts:
    day_ago = now() - timedelta(days=1)
    waiting = await OutboxEmail.count().where(
        OutboxEmail.sent_at.is_null(), OutboxEmail.failed_at.is_null()
    )
    sent = await OutboxEmail.count().where(OutboxEmail.sent_at >= day_ago)
    failed = await OutboxEmail.count().where(OutboxEmail.failed_at.is_not_null())
    return OutboxCounts(waiting=waiting, sent_last_day=sent, failed=failed)


async def list_outbox(*, failed_only: bool = False, limit: int = 50) -> list[dict[str, Any]]:
    query = OutboxEmail.select(
        OutboxEmail.id,
        OutboxEmail.kind,
        OutboxEmail.to_address,
        OutboxEmail.subject,
        OutboxEmail.created_at,
        OutboxEmail.attempts,
        OutboxEmail.next_attempt_at,
        OutboxEmail.sent_at,
        OutboxEmail.failed_at,
        OutboxEmail.last_error,
    )
    if failed_only:
        query = query.where(OutboxEmail.failed_at.is_not_null())
    return await query.order_by(OutboxEmail.id, ascending=False).limit(limit)


async def retry_email(actor: Actor, email_id: int) -> None:
    """Give a failed email a fresh set of attempts, due now (admins only)."""
    require(can_administer(actor))
    async with write_transaction():
        changed = await (
            OutboxEmail.update(
                {
                    OutboxEmail.failed_at: None,
                    OutboxEmail.attempts: 0,
                    OutboxEmail.next_attempt_at: now(),
                    OutboxEmail.lease_until: None,
                }
            )
            .where(OutboxEmail.id == email_id, OutboxEmail.sent_at.is_null())
            .returning(OutboxEmail.id, OutboxEmail.to_address, OutboxEmail.subject)
        )
        if changed:
            await add_audit(
                actor, "email.retry", target_type="email", target_id=email_id,
                summary=f"“{changed[0]['subject']}” to {changed[0]['to_address']}",
            )  # fmt: skip
    if not changed:
        raise NotFound(gettext("This unsent email does not exist."))
