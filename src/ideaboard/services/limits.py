"""Abuse limits that hold across every app process: fixed-window counters in the
database (one upsert per check), so sign-in throttling, sign-up and posting limits
count the same whichever server answers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.i18n import lazy_gettext
from ideaboard.services.clock import now
from ideaboard.services.errors import ServiceError
from ideaboard.tables import RateLimit


@dataclass(frozen=True)
class Limit:
    """At most `hits` in a fixed window of `window`; `message` says so to the person."""

    name: str
    hits: int
    window: timedelta
    message: Any  # a lazy string: worded in the reader's language when shown


_ = lazy_gettext  # the messages are worded when shown, in the reader's language
LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (
        # Checked before the password hash runs, so guessing costs the guesser, not us.
        Limit("login:account", 10, timedelta(minutes=15),
              _("Too many sign-in attempts for this account. Wait a few minutes and try"
                " again, or reset your password.")),
        Limit("login:ip", 50, timedelta(minutes=15),
              _("Too many sign-in attempts from your network. Wait a few minutes and try"
                " again.")),
        # Company sign-ins that failed (each is an audit line): only failures count.
        Limit("sso:ip", 30, timedelta(minutes=15),
              _("Too many sign-in attempts from your network. Wait a few minutes and try"
                " again.")),
        # A script on the API: per token, generous for integrations, not for a runaway loop.
        Limit("api:token", 600, timedelta(minutes=1),
              _("Too many requests with this token: slow down and try again in a minute.")),
        # An office signs up from one address on launch day: generous per network.
        Limit("signup:ip", 100, timedelta(hours=1),
              _("Too many sign-ups from your network. Try again in an hour.")),
        Limit("signup:account", 3, timedelta(hours=1),
              _("We have sent several emails to this address in the last hour. Look for"
                " them (and in the spam folder), or try again in an hour.")),
        Limit("reset:account", 5, timedelta(hours=1),
              _("Too many password reset requests. Try again in an hour.")),
        Limit("reset:ip", 20, timedelta(hours=1),
              _("Too many password reset requests from your network. Try again in an hour.")),
        Limit("idea:user", 20, timedelta(hours=1),
              _("You have proposed many ideas in the last hour. Take a breath and try again"
                " soon.")),
        Limit("comment:user", 60, timedelta(hours=1),
              _("You have written many comments in the last hour. Try again soon.")),
        # Pictures and files, one hit each (IDEABOARD_UPLOADS_PER_HOUR sets the number).
        Limit("upload:user", 60, timedelta(hours=1),
              _("You have sent many files in the last hour. Try again later.")),
    )
}  # fmt: skip


def retry_after(window_start: datetime, window: timedelta, now: datetime) -> int:
    """Whole seconds until a full window's count starts again (at least one)."""
    return max(int((window_start + window - now).total_seconds()) + 1, 1)


# One statement on both databases: a new key starts at 1, an expired window starts
# over at 1, a live window counts one more; RETURNING says where it stands.
HIT = """
INSERT INTO rate_limit (key, window_start, hits) VALUES ({}, {}, 1)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limit.window_start <= {} THEN 1 ELSE rate_limit.hits + 1 END,
    window_start = CASE WHEN rate_limit.window_start <= {} THEN {}
                        ELSE rate_limit.window_start END
RETURNING hits, window_start
"""
KEY_MAX = 200


class RateLimited(ServiceError):
    """Too many of one thing in a short time; `retry_after` is in seconds."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(str(limit.message))
        self.limit = limit
        self.retry_after = retry_after


async def hit(name: str, subject: str, *, hits: int | None = None) -> None:
    """Count one more `name` (a key of domain.LIMITS) for `subject` (an email, an IP,
    a user id); raise RateLimited when it goes over the limit (or over `hits`, where a
    setting gives the number)."""
    limit = LIMITS[name]
    if hits is not None:
        limit = replace(limit, hits=hits)
    moment = now()
    expired = moment - limit.window
    key = _key(name, subject)
    async with write_transaction():
        rows = await RateLimit.raw(HIT, key, moment, expired, expired, moment)
    hits, window_start = rows[0]["hits"], rows[0]["window_start"]
    if hits > limit.hits:
        raise RateLimited(limit, retry_after(window_start, limit.window, moment))


async def forgive(name: str, subject: str) -> None:
    """Take back one hit: a sign-in that succeeded should not count against the address
    (a whole office behind one NAT address signs in on Monday morning)."""
    async with write_transaction():
        await RateLimit.update({RateLimit.hits: RateLimit.hits - 1}).where(
            RateLimit.key == _key(name, subject), RateLimit.hits > 0
        )


async def clear(name: str, subject: str) -> None:
    """Forget the count (a successful sign-in clears its account's failures)."""
    await RateLimit.delete().where(RateLimit.key == _key(name, subject))


def _key(name: str, subject: str) -> str:
    """The counter's key; characters a database may refuse (NUL) become "?"."""
    cleaned = "".join(c if c.isprintable() else "?" for c in subject.strip().lower())
    return f"{name}:{cleaned}"[:KEY_MAX]


async def forget_expired(longest: int = 86_400) -> int:
    """Drop counters whose window ended long ago (run by the nightly job)."""
    rows = (
        await RateLimit.delete()
        .where(RateLimit.window_start < now() - timedelta(seconds=longest))
        .returning(RateLimit.id)
    )
    return len(rows)
