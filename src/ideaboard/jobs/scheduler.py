"""The built-in scheduler: the weekly digest and the nightly recount, claimed through the
database so that any number of processes may run this loop and each run happens once."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, time, timedelta
from pathlib import Path

from ideaboard.jobs.runs import claim_run, finish_run, forget_runs, holding
from ideaboard.mail.mailer import Mailer
from ideaboard.services import (
    contributors,
    digest,
    erasure,
    events,
    file_keeping,
    insight_rollups,
    limits,
    password_resets,
    personal_data,
    ranking,
    signups,
)
from ideaboard.services.clock import now
from ideaboard.services.notification_emails import email_notifications
from ideaboard.services.organisation import OrganisationRow, find_organisation
from ideaboard.storage import Store
from ideaboard.weeks import digest_send_time, latest_digest_week

log = logging.getLogger("ideaboard.jobs")

RECOUNT_AT = time(3)  # local time of the organisation: a quiet hour


async def send_weekly_digest(organisation: OrganisationRow, mailer: Mailer, at: datetime) -> None:
    week = latest_digest_week(at, organisation.digest)
    if organisation.created_at and digest_send_time(week, organisation.digest) < (
        organisation.created_at
    ):
        return  # that week ended before the board began
    claim = await claim_run("digest", week, at=at)
    if claim is None:
        return
    async with holding(claim):
        run = await digest.queue_digests(week, mailer)
    outcome = "quiet week: nothing to send" if run.quiet_week else f"{run.queued} queued"
    await finish_run(claim, outcome)
    log.info("weekly digest %s: %s", week, outcome)


async def recount_nightly(organisation: OrganisationRow, at: datetime, store: Store) -> None:
    local = at.astimezone(organisation.digest.zone)
    day = local.date() if local.time() >= RECOUNT_AT else local.date() - timedelta(days=1)
    claim = await claim_run("recount", day.isoformat(), at=at)
    if claim is None:
        return
    async with holding(claim):
        drift = await ranking.recount(repair=True)
        await limits.forget_expired()
        await signups.forget_expired()
        await password_resets.forget_expired()
        await events.forget_old_events()
        await forget_runs("insights", older_than=timedelta(days=2), at=at)
        await contributors.count_everyone()
        await file_keeping.clear_staged(store)
    await finish_run(claim, f"{len(drift)} counters repaired")
    if drift:
        log.warning("nightly recount repaired %d counters: %s", len(drift), drift[:10])


async def erase_after_retention(
    organisation: OrganisationRow, mailer: Mailer, at: datetime, data_dir: Path, store: Store
) -> None:
    """Once a day: erase the people deactivated longer ago than the retention period."""
    days = organisation.erase_deactivated_after_days
    if days <= 0:
        return
    claim = await claim_run("retention", at.date().isoformat(), at=at)
    if claim is None:
        return
    async with holding(claim):
        erased = await erasure.erase_deactivated(days=days, at=at)
        for person in erased:
            await person.tidy(mailer, data_dir, store)
    await finish_run(claim, f"{len(erased)} erased")
    if erased:
        log.info("retention: erased %d people deactivated over %d days ago", len(erased), days)


INSIGHTS_EVERY_MINUTES = 10


async def count_participation(at: datetime) -> None:
    """The weekly participation of /insights, every ten minutes, by one process."""
    slot = at.replace(
        minute=at.minute - at.minute % INSIGHTS_EVERY_MINUTES, second=0, microsecond=0
    )
    claim = await claim_run("insights", slot.isoformat(timespec="minutes"), at=at)
    if claim is None:
        return
    async with holding(claim):
        weeks = await insight_rollups.count_weeks(at=at)
    await finish_run(claim, f"{weeks} weeks counted")


async def run_due_jobs(
    mailer: Mailer, *, at: datetime | None = None, data_dir: Path, store: Store
) -> None:
    """Every job whose time has come; `data_dir` and `store` are where the files that
    jobs make or remove live ("Download my data", erased people's pictures)."""
    organisation = await find_organisation()
    if organisation is None:
        return
    moment = at or now()
    await send_weekly_digest(organisation, mailer, moment)
    await recount_nightly(organisation, moment, store)
    await erase_after_retention(organisation, mailer, moment, data_dir, store)
    await count_participation(moment)
    # "Download my data": made here too when the process that was asked stopped first.
    await personal_data.make_waiting(data_dir, store)
    await personal_data.forget_old(data_dir, moment)


async def keep_schedule(
    mailer: Mailer, data_dir: Path, store: Store, interval_seconds: float = 60
) -> None:
    while True:
        try:
            await run_due_jobs(mailer, data_dir=data_dir, store=store)
        except Exception:
            log.exception("a scheduled job failed; trying again later")
        await asyncio.sleep(interval_seconds)


async def keep_delivering(
    mailer: Mailer, interval_seconds: float, notification_delay: timedelta
) -> None:
    """Send due emails from the outbox, again and again."""
    while True:
        try:
            await email_notifications(mailer, delay=notification_delay)
            report = await mailer.deliver()
            if report.sent or report.failed or report.gave_up:
                log.info("outbox: %s", report)
        except Exception:
            log.exception("delivering the outbox failed; trying again later")
        await asyncio.sleep(interval_seconds)
