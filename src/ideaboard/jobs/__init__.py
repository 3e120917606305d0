"""Background loops: in each app process by default, or in `ideaboard worker` alone."""

from __future__ import annotations

from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from ideaboard.db_sqlite import offloaded
from ideaboard.jobs.events import keep_events_moving
from ideaboard.jobs.ranking import keep_trending_fresh
from ideaboard.jobs.scheduler import keep_delivering, keep_schedule
from ideaboard.mail.mailer import Mailer
from ideaboard.settings import Settings
from ideaboard.storage import open_store


def background_loops(settings: Settings, mailer: Mailer) -> list[Coroutine[Any, Any, None]]:
    """The loops this process should run. Each is safe to run in many processes at once."""
    if not settings.background_jobs:
        return []
    delay = timedelta(seconds=settings.notification_delay_seconds)
    loops = [
        keep_delivering(mailer, settings.mail_poll_seconds, delay),
        keep_schedule(
            mailer, settings.data_dir, open_store(settings.storage_url, settings.data_dir)
        ),
        keep_events_moving(settings, mailer),
    ]
    if settings.trending_refresh_seconds > 0:
        loops.append(keep_trending_fresh(settings.trending_refresh_seconds))
    return [_off_the_loop(loop) for loop in loops]


async def _off_the_loop(loop: Coroutine[Any, Any, None]) -> None:
    """On SQLite, the loop's statements run on worker threads: a digest's or a recount's
    long transaction must not hold up the pages served by the same process."""
    with offloaded():
        await loop
