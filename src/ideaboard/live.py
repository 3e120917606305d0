"""Live updates: a nudge ("votes:5", "comments:5", "bell:7") from whatever changed the
board to the open pages that show it, whichever app server they are connected to.

A nudge names what changed, never what it says: each open page's stream reads it again
as its own reader (`controllers/live.py`), through the visibility rule, in its reader's
language. Nudges are sent after the commit that made them true (`db.after_commit`).

One `Hub` per process. With SQLite (one process) it hands nudges straight to the open
streams. With PostgreSQL it sends them with `NOTIFY` and hears everyone's with `LISTEN`,
on a connection of its own, so a vote through one server reaches pages on all of them;
nudges within a few milliseconds are sent together, the same one once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ideaboard.db import after_commit

log = logging.getLogger("ideaboard.live")

CHANNEL = "ideaboard_live"
QUEUE_SIZE = 64  # nudges a slow page may have waiting; more are dropped, never queued up
GATHER_SECONDS = 0.02
RECONNECT_SECONDS = (0.5, 1, 2, 5, 10)
NOTIFY_MOST = 7000  # bytes of one NOTIFY's payload (PostgreSQL's limit is 8000)


@dataclass(eq=False)
class Subscriber:
    """One open page: whose it is and what it shows."""

    user_id: int
    ideas: frozenset[int] = frozenset()  # vote counts on the page
    comments_of: int | None = None  # the idea whose comments the page lists
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(QUEUE_SIZE))

    def wants(self, topic: str) -> bool:
        kind, _, key = topic.partition(":")
        if not key.isdigit():
            return False
        number = int(key)
        if kind == "votes":
            return number in self.ideas
        if kind == "comments":
            return number == self.comments_of
        return kind == "bell" and number == self.user_id

    def offer(self, topic: str) -> None:
        # A page that cannot keep up misses a nudge: not worth memory.
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(topic)


STOP = "stop"  # what a stream's queue gets when its server stops


class Hub:
    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self._outgoing: asyncio.Queue[str] | None = None  # PostgreSQL: to NOTIFY
        self.stopping = False

    def stop(self) -> None:
        """The server is stopping: every open stream ends now (its page reconnects,
        to another server if there is one), so the stop does not wait for them."""
        self.stopping = True
        for subscriber in list(self.subscribers):
            with contextlib.suppress(asyncio.QueueFull):
                subscriber.queue.put_nowait(STOP)

    def stop_on_signals(self) -> None:
        """Call `stop` when SIGTERM or SIGINT arrives, then whatever handled it before
        (uvicorn's own, which then waits for the requests under way)."""
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            previous = signal.getsignal(signum)

            def handler(number: int, frame: Any, previous: Any = previous) -> None:
                loop.call_soon_threadsafe(self.stop)
                if callable(previous):
                    previous(number, frame)

            try:
                signal.signal(signum, handler)
            except ValueError:  # not the main thread (a test client): nothing to catch
                return

    def subscribe(
        self, user_id: int, ideas: Iterable[int] = (), comments_of: int | None = None
    ) -> Subscriber:
        subscriber = Subscriber(user_id, frozenset(ideas), comments_of)
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

    def publish(self, topics: Iterable[str]) -> None:
        if self._outgoing is not None:
            for topic in topics:
                try:
                    self._outgoing.put_nowait(topic)
                except asyncio.QueueFull:
                    log.warning("live updates: too many nudges waiting; dropped %s", topic)
        else:
            self.dispatch(topics)

    def dispatch(self, topics: Iterable[str]) -> None:
        for topic in topics:
            for subscriber in list(self.subscribers):
                if subscriber.wants(topic):
                    subscriber.offer(topic)

    async def run_postgres(self, dsn: str) -> None:
        """LISTEN and NOTIFY until cancelled, connecting again when the connection drops
        (nudges made meanwhile are lost: pages catch up at their next change or poll)."""
        import asyncpg

        self._outgoing = asyncio.Queue(10_000)
        attempt = 0
        while True:
            try:
                connection = await asyncpg.connect(dsn)
            except (OSError, asyncpg.PostgresError) as error:
                delay = RECONNECT_SECONDS[min(attempt, len(RECONNECT_SECONDS) - 1)]
                log.warning("live updates: no LISTEN connection (%s); again in %ss", error, delay)
                attempt += 1
                await asyncio.sleep(delay)
                continue
            attempt = 0
            try:
                await connection.add_listener(CHANNEL, self._heard)
                await self._send_forever(connection)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("live updates: the LISTEN connection failed (%s)", error)
            finally:
                if not connection.is_closed():
                    await connection.close(timeout=2)

    def _heard(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self.dispatch(payload.split())

    async def _send_forever(self, connection: Any) -> None:
        assert self._outgoing is not None
        while True:
            topics = {await self._outgoing.get()}
            await asyncio.sleep(GATHER_SECONDS)
            while not self._outgoing.empty() and len(topics) < 500:
                topics.add(self._outgoing.get_nowait())
            for payload in _payloads(sorted(topics)):
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)


def _payloads(topics: list[str]) -> Iterable[str]:
    """The topics, space-separated, in as few payloads as fit PostgreSQL's limit."""
    chunk: list[str] = []
    size = 0
    for topic in topics:
        if chunk and size + len(topic) + 1 > NOTIFY_MOST:
            yield " ".join(chunk)
            chunk, size = [], 0
        chunk.append(topic)
        size += len(topic) + 1
    if chunk:
        yield " ".join(chunk)


# The process's hub, set by the app at start; commands and tests without one nudge nobody.
_current: list[Hub] = []


def use_hub(hub: Hub | None) -> None:
    _current[:] = [hub] if hub else []


def nudge(*topics: str) -> None:
    """Tell open pages that these changed, once the transaction under way commits."""
    if _current:
        hub = _current[0]
        after_commit(lambda: hub.publish(topics))
