"""Keeps the Trending sort's window moving while the app runs, and tells the event
stream of the minute's votes (one `idea.votes_changed` per idea, not one per vote)."""

from __future__ import annotations

import asyncio
import logging

from ideaboard.services import events, ranking

log = logging.getLogger("ideaboard.jobs")


async def keep_trending_fresh(interval_seconds: float) -> None:
    """Age the trending window every interval. Idempotent: several processes may run it."""
    while True:
        try:
            await ranking.refresh_trending()
            await events.announce_votes()
        except Exception:
            log.exception("refreshing the trending window failed; trying again later")
        await asyncio.sleep(interval_seconds)
