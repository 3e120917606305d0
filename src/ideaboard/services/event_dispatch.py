"""The fan-out: each recorded event becomes a delivery for every endpoint that wants it,
with the exact body that will be signed and sent. Runs in the background, in batches,
in one transaction per batch; several processes may run it at once (PostgreSQL skips the
rows another holds, SQLite's write lock serialises them), and the unique (endpoint,
event) index makes a repeated fan-out harmless.

Endpoints read as the board's public (`visibility.EVERYONE`): an idea or comment that is
pending, hidden or rejected reaches nobody, an anonymous author is never named, and a
duplicate names the idea it was merged into only when that one is public too.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from litestar.serialization import encode_json

from ideaboard.db import write_transaction
from ideaboard.i18n import in_language
from ideaboard.services.clock import now
from ideaboard.services.comments import COMMENT_COLUMNS, CommentView, comment_view
from ideaboard.services.event_payloads import (
    EventFacts,
    slack_message,
    standard_body,
    teams_message,
)
from ideaboard.services.events import (
    CHANNEL_KINDS,
    EventKind,
    mark_dispatched,
    parse_kinds,
    waiting_events,
)
from ideaboard.services.ideas import IDEA_COLUMNS, IdeaView, idea_view
from ideaboard.services.organisation import find_organisation
from ideaboard.services.visibility import EVERYONE, sees
from ideaboard.tables import (
    Comment,
    DomainEvent,
    Idea,
    StatusChange,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

BATCH = 200

FORMATS = {"standard": standard_body, "slack": slack_message, "teams": teams_message}


@dataclass(frozen=True)
class Endpoint:
    id: int
    format: str
    kinds: frozenset[EventKind]
    department_id: int | None
    created_at: Any

    def wants(self, kind: EventKind, department_id: int, at: Any) -> bool:
        if at < self.created_at or kind not in self.kinds:
            return False
        if self.format == "standard":
            return True
        return kind in CHANNEL_KINDS and department_id == self.department_id


async def active_endpoints() -> list[Endpoint]:
    rows = await WebhookEndpoint.select(
        WebhookEndpoint.id, WebhookEndpoint.format, WebhookEndpoint.events,
        WebhookEndpoint.department, WebhookEndpoint.created_at,
    ).where(WebhookEndpoint.active.eq(True))  # fmt: skip
    return [
        Endpoint(
            id=row["id"],
            format=row["format"],
            kinds=parse_kinds(row["events"]) or frozenset(),
            department_id=row["department"],
            created_at=row["created_at"],
        )
        for row in rows
    ]


async def fan_out(base_url: str, *, batch: int = BATCH) -> int:
    """Turn waiting events into deliveries, a batch at a time, until none wait. Returns
    how many deliveries were made."""
    made = 0
    if not await DomainEvent.exists().where(DomainEvent.dispatched_at.is_null()):
        return made  # the usual case: a read, not the write lock
    organisation = await find_organisation()
    language = organisation.language if organisation else None
    while True:
        async with write_transaction():
            events = await waiting_events(batch)
            if not events:
                return made
            endpoints = await active_endpoints()
            if endpoints:
                with in_language(language):
                    rows = await _deliveries(events, endpoints, base_url)
                if rows:
                    await WebhookDelivery.insert(*rows).on_conflict(action="DO NOTHING")
                made += len(rows)
            await mark_dispatched([event["id"] for event in events])


async def _deliveries(
    events: list[dict[str, Any]], endpoints: list[Endpoint], base_url: str
) -> list[WebhookDelivery]:
    ideas, authors = await _public_ideas({e["idea"] for e in events} | _merge_targets(events))
    comments = await _public_comments({event["comment"] for event in events if event["comment"]})
    actors = await _names({event["actor"] for event in events if event["actor"]})
    messages = await _update_messages(events)
    moment = now()
    rows: list[WebhookDelivery] = []
    for event in events:
        idea = ideas.get(event["idea"])
        kind = EventKind(event["kind"])
        comment = comments.get(event["comment"]) if event["comment"] else None
        if idea is None or (event["comment"] and comment is None):
            continue  # the public may not see it: nobody hears of it
        wanting = [e for e in endpoints if e.wants(kind, idea.department_id, event["created_at"])]
        if not wanting:
            continue
        detail = json.loads(event["detail"] or "{}")
        facts = EventFacts(
            kind=kind, at=event["created_at"], idea=idea, base_url=base_url, detail=detail,
            actor=_actor_name(event, idea, authors[idea.id], actors), comment=comment,
            message=messages.get(detail.get("update"), ""),
            merged_into=ideas.get(detail.get("merged_into")),
        )  # fmt: skip
        message_id = f"msg_{uuid.uuid4().hex}"
        bodies: dict[str, str] = {}
        for endpoint in wanting:
            if endpoint.format not in bodies:
                bodies[endpoint.format] = encode_json(FORMATS[endpoint.format](facts)).decode()
            rows.append(
                WebhookDelivery(
                    endpoint=endpoint.id,
                    event=event["id"],
                    idea=idea.id,
                    comment=event["comment"],
                    kind=kind.value,
                    message_id=message_id,
                    body=bodies[endpoint.format],
                    state="waiting",
                    attempts=0,
                    next_attempt_at=moment,
                    created_at=moment,
                )
            )
    return rows


def _merge_targets(events: list[dict[str, Any]]) -> set[int]:
    details = (json.loads(e["detail"] or "{}") for e in events if e["kind"] == "idea.merged")
    return {detail["merged_into"] for detail in details if detail.get("merged_into")}


# Whose name an event may carry: the voter who tipped a threshold stays unnamed.
NAMED_ACTORS = frozenset(
    {EventKind.IDEA_CREATED, EventKind.IDEA_STATUS_CHANGED, EventKind.IDEA_ROUTED,
     EventKind.IDEA_MERGED, EventKind.COMMENT_CREATED}
)  # fmt: skip


def _actor_name(
    event: dict[str, Any], idea: IdeaView, author_id: int, names: dict[int, str]
) -> str | None:
    """Who did it, unless that would name an anonymous idea's author."""
    if event["kind"] not in NAMED_ACTORS or event["actor"] is None:
        return None
    if idea.anonymous and event["actor"] == author_id:
        return None
    return names.get(event["actor"])


async def _public_ideas(idea_ids: set[int]) -> tuple[dict[int, IdeaView], dict[int, int]]:
    """The ideas the public may see, as it sees them; and who wrote each, for the rule."""
    if not idea_ids:
        return {}, {}
    rows = await Idea.select(*IDEA_COLUMNS).where(Idea.id.is_in(sorted(idea_ids)))
    public = [row for row in rows if sees(EVERYONE, row, author="author_id")]
    return (
        {row["id"]: idea_view(row, EVERYONE) for row in public},
        {row["id"]: row["author_id"] for row in public},
    )


async def _public_comments(comment_ids: set[int]) -> dict[int, CommentView]:
    if not comment_ids:
        return {}
    rows = await Comment.select(*COMMENT_COLUMNS).where(Comment.id.is_in(sorted(comment_ids)))
    views = (comment_view(row) for row in rows)
    return {view.id: view for view in views if view.counts}


async def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = await User.select(User.id, User.name).where(User.id.is_in(sorted(user_ids)))
    return {row["id"]: row["name"] for row in rows}


async def _update_messages(events: list[dict[str, Any]]) -> dict[int, str]:
    details = (
        json.loads(e["detail"] or "{}") for e in events if e["kind"] == "idea.status_changed"
    )
    ids = sorted({detail["update"] for detail in details if detail.get("update")})
    if not ids:
        return {}
    rows = await StatusChange.select(StatusChange.id, StatusChange.message).where(
        StatusChange.id.is_in(ids)
    )
    return {row["id"]: row["message"] for row in rows}
