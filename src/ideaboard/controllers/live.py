"""`GET /live`: the stream of live updates of one open page (Server-Sent Events, read by
htmx's SSE extension). The page says what it shows (`ideas=1,2,3` for vote counts,
`comments=5` for an idea's comments); each nudge for it is drawn again for this reader,
as their page would draw it, and sent as an event the page swaps in:

- `vote-N`: idea N's vote box (their vote, the count);
- `comments`: the comment list of the idea page, as this reader may see it;
- `bell`: nothing; the bell fetches its own count (`hx-trigger="sse:bell"`).

A comment line every 20 s keeps proxies from closing a quiet stream, and a stream ends
after 30 minutes, so a page reconnects (EventSource does, after `retry`) with its
session checked again. A page without EventSource or JavaScript simply does not update.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.types import ASGIApp, Receive, Scope, Send

from ideaboard.controllers.idea_page import idea_page
from ideaboard.live import STOP, Hub, Subscriber
from ideaboard.security import BoardRequest
from ideaboard.services import votes
from ideaboard.services.errors import ServiceError
from ideaboard.services.validation import parse_id
from ideaboard.web import SignedIn

KEEPALIVE_SECONDS = 20.0
LIFETIME_SECONDS = 1800.0
RETRY_MS = 5000
MOST_IDEAS = 100


def _ids(text: str) -> list[int]:
    ids = (parse_id(part) for part in text.split(",")[:MOST_IDEAS])
    return [i for i in ids if i]


async def stream(request: BoardRequest, user: SignedIn) -> ServerSentEvent:
    hub: Hub = request.app.state.live
    subscriber = hub.subscribe(
        user.id,
        ideas=_ids(request.query_params.get("ideas", "")),
        comments_of=parse_id(request.query_params.get("comments", "")),
    )
    return ServerSentEvent(
        _events(request, user, hub, subscriber),
        retry_duration=RETRY_MS,
        # nginx: do not buffer the stream (deploy/nginx.conf says so too).
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: BoardRequest, user: SignedIn, hub: Hub, subscriber: Subscriber
) -> AsyncIterator[ServerSentEventMessage]:
    ends = time.monotonic() + LIFETIME_SECONDS
    try:
        yield ServerSentEventMessage(comment="connected")
        while (left := ends - time.monotonic()) > 0 and not hub.stopping:
            try:
                async with asyncio.timeout(min(KEEPALIVE_SECONDS, left)):
                    topics = {await subscriber.queue.get()}
            except TimeoutError:
                yield ServerSentEventMessage(comment="keep-alive")
                continue
            while not subscriber.queue.empty():
                topics.add(subscriber.queue.get_nowait())
            if STOP in topics:
                return  # the server is stopping: the page reconnects
            for topic in sorted(topics):
                message = await _drawn(request, user, topic)
                if message is not None:
                    yield message
    finally:
        hub.unsubscribe(subscriber)


async def _drawn(
    request: BoardRequest, user: SignedIn, topic: str
) -> ServerSentEventMessage | None:
    """The event for one nudge, drawn for this reader; None when there is nothing they may
    see (the idea was hidden meanwhile, say)."""
    kind, _, key = topic.partition(":")
    if kind == "bell":
        return ServerSentEventMessage(event="bell", data="")
    try:
        if kind == "votes":
            box = await votes.current_vote_box(user.actor, int(key))
            if box is None:
                return None
            html = request.app.state.templates.globals["vote_box"](box)
            return ServerSentEventMessage(event=f"vote-{key}", data=str(html))
        if kind == "comments":
            page = await idea_page(request, user, int(key), block="comment_list")
            return ServerSentEventMessage(event="comments", data=str(page.content))
    except ServiceError:
        return None  # no longer theirs to see
    return None


class StreamsEndQuietly(ASGIMiddleware):
    """A stopping server ends its streams at once (`Hub.stop_on_signals`); one it could
    not reach in time is cancelled after uvicorn's `timeout_graceful_shutdown`: for a
    stream that is how it ends, not an error to log. The page's EventSource
    reconnects, to another server if there is one."""

    scopes = (ScopeType.HTTP,)

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        return scope["path"] != "/live"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        # Only the server cancels the whole request: a page that goes away ends the
        # stream inside Litestar's response, which hears the disconnect.
        with contextlib.suppress(asyncio.CancelledError):
            await next_app(scope, receive, send)
