"""Keeps the event stream moving: fan recorded events out to the endpoints that want
them, then deliver what is due. Safe to run in several processes at once."""

from __future__ import annotations

import asyncio
import logging

from ideaboard.mail.mailer import Mailer
from ideaboard.services.event_dispatch import fan_out
from ideaboard.settings import Settings
from ideaboard.webhooks.delivery import deliver_due
from ideaboard.webhooks.sender import parse_networks

log = logging.getLogger("ideaboard.jobs")


async def move_events(settings: Settings, mailer: Mailer) -> None:
    """One round: the fan-out, then the deliveries due now."""
    await fan_out(settings.effective_base_url)
    report = await deliver_due(
        mailer,
        networks=parse_networks(settings.webhook_allowed_networks),
        seconds=settings.webhook_timeout_seconds,
    )
    if report.delivered or report.failed or report.gave_up or report.withdrawn:
        log.info("webhooks: %s", report)


async def keep_events_moving(settings: Settings, mailer: Mailer) -> None:
    while True:
        try:
            await move_events(settings, mailer)
        except Exception:
            log.exception("delivering events failed; trying again later")
        await asyncio.sleep(settings.webhook_poll_seconds)
