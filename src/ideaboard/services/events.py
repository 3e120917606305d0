"""The event stream: what happened to ideas, recorded in the transaction that made it
happen, and fanned out afterwards to every endpoint that wants it.

Recording is one insert on the path of the action; everything else happens in the
background. Votes are not recorded one by one: once a minute, `announce_votes` records
one `idea.votes_changed` for each idea whose count moved since it was last announced.
The fan-out applies the visibility rule: an event about an idea (or comment) that the
board's public may not see reaches no endpoint, and a delivery is checked again before
each attempt (`webhook_sender`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ideaboard.db import is_sqlite, write_transaction
from ideaboard.i18n import lazy_gettext
from ideaboard.services.clock import now
from ideaboard.services.visibility import public_sql
from ideaboard.tables import DomainEvent, Idea

# Dispatched events are kept this long, for the delivery log's "what was it about".
KEEP_EVENTS = timedelta(days=30)


class EventKind(StrEnum):
    IDEA_CREATED = "idea.created"
    IDEA_STATUS_CHANGED = "idea.status_changed"
    IDEA_ROUTED = "idea.routed"
    IDEA_MERGED = "idea.merged"
    IDEA_THRESHOLD_REACHED = "idea.threshold_reached"
    IDEA_VOTES_CHANGED = "idea.votes_changed"
    COMMENT_CREATED = "comment.created"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS[self])


EVENT_LABELS: dict[EventKind, Any] = {
    EventKind.IDEA_CREATED: lazy_gettext("A new idea is on the board"),
    EventKind.IDEA_STATUS_CHANGED: lazy_gettext("An idea's status changes"),
    EventKind.IDEA_ROUTED: lazy_gettext("An idea gets an owner or moves to another department"),
    EventKind.IDEA_MERGED: lazy_gettext("A duplicate is merged into another idea"),
    EventKind.IDEA_THRESHOLD_REACHED: lazy_gettext("An idea reaches its routing threshold"),
    EventKind.IDEA_VOTES_CHANGED: lazy_gettext("An idea's votes change (once a minute at most)"),
    EventKind.COMMENT_CREATED: lazy_gettext("A new comment is posted"),
}

# What a department's Slack or Teams channel hears of: few, and worth a message.
CHANNEL_KINDS = frozenset(
    {EventKind.IDEA_CREATED, EventKind.IDEA_THRESHOLD_REACHED, EventKind.IDEA_STATUS_CHANGED}
)


def parse_kinds(text: str) -> frozenset[EventKind] | None:
    """`all`, or event kinds separated by commas or spaces; None names an unknown kind."""
    words = text.replace(",", " ").split()
    if not words or words == ["all"]:
        return frozenset(EventKind)
    if not all(word in EventKind.__members__.values() for word in words):
        return None
    return frozenset(EventKind(word) for word in words)


def kinds_text(kinds: frozenset[EventKind]) -> str:
    """How an endpoint's choice is stored: "all", or the kinds in a stable order."""
    if kinds == frozenset(EventKind):
        return "all"
    return " ".join(kind.value for kind in EventKind if kind in kinds)


async def record_event(
    kind: EventKind,
    idea_id: int,
    *,
    actor_id: int | None = None,
    comment_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Add an event to the stream; call inside the transaction of what caused it."""
    await DomainEvent.insert(
        DomainEvent(
            kind=kind.value,
            idea=idea_id,
            comment=comment_id,
            actor=actor_id,
            detail=json.dumps(dict(detail or {}), separators=(",", ":")),
            created_at=now(),
        )
    )


# Ideas whose count moved since their last announcement; `announced_votes` is written
# only here, so the vote itself stays as cheap as before.
MOVED_VOTES = f"""
SELECT id, vote_count, announced_votes FROM idea
WHERE vote_count <> announced_votes AND {public_sql("idea")}
"""  # noqa: S608 (only constants go in: the visibility rule)


async def announce_votes() -> int:
    """One `idea.votes_changed` per idea whose vote count changed since it was last
    announced (coalescing a minute of votes into one event). Returns how many."""
    async with write_transaction():
        moved = await Idea.raw(MOVED_VOTES)
        for row in moved:
            await record_event(
                EventKind.IDEA_VOTES_CHANGED,
                row["id"],
                detail={"votes": row["vote_count"], "before": row["announced_votes"]},
            )
            await Idea.update({Idea.announced_votes: row["vote_count"]}).where(Idea.id == row["id"])
    return len(moved)


CLAIM_EVENTS = """
SELECT id, kind, idea, comment, actor, detail, created_at FROM domain_event
WHERE dispatched_at IS NULL ORDER BY id LIMIT {{}} {skip_locked}
"""
CLAIM_EVENTS_SQLITE = CLAIM_EVENTS.format(skip_locked="")  # BEGIN IMMEDIATE serialises
CLAIM_EVENTS_POSTGRES = CLAIM_EVENTS.format(skip_locked="FOR UPDATE SKIP LOCKED")


async def waiting_events(limit: int) -> list[dict[str, Any]]:
    """Events not yet fanned out, oldest first; call inside a write transaction (on
    PostgreSQL, rows another process is fanning out are skipped)."""
    return await DomainEvent.raw(
        CLAIM_EVENTS_SQLITE if is_sqlite() else CLAIM_EVENTS_POSTGRES, limit
    )


async def mark_dispatched(event_ids: list[int]) -> None:
    if event_ids:
        await DomainEvent.update({DomainEvent.dispatched_at: now()}).where(
            DomainEvent.id.is_in(event_ids)
        )


async def forget_old_events(at: datetime | None = None) -> None:
    async with write_transaction():
        await DomainEvent.delete().where(
            DomainEvent.dispatched_at.is_not_null(),
            DomainEvent.created_at < (at or now()) - KEEP_EVENTS,
        )
