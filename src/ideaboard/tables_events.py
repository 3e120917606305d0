"""Piccolo tables of the event stream and what consumes it: domain events, the endpoints
that receive them (Standard Webhooks, and Slack or Teams channels of a department) and
each delivery's record. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# ideaboard.tables imports this module: its tables are named, not imported.
User = LazyTableReference("User", module_path="ideaboard.tables")
Idea = LazyTableReference("Idea", module_path="ideaboard.tables")
Department = LazyTableReference("Department", module_path="ideaboard.tables")


class DomainEvent(Table):
    """Something that happened to an idea, written in the transaction that made it happen
    (like the outbox), and fanned out to the endpoints that want it afterwards. The fan-out
    applies the visibility rule then; `dispatched_at` says it is done (a partial index,
    made by a migration, finds the rest)."""

    id: Serial
    kind = Varchar(length=40)
    idea: ForeignKey[Any] = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False)
    comment = Integer(null=True, default=None)  # comment.created: which
    actor = Integer(null=True, default=None)  # an account id; never shown for anonymous ideas
    detail = Text(default="{}")  # JSON: statuses, votes, the idea merged into
    created_at = Timestamptz(index=True)
    dispatched_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(Table):
    """Where events go: a Standard Webhooks receiver (`format` "standard", any events),
    or a department's Slack or Teams channel ("slack", "teams")."""

    id: Serial
    url = Text()
    format = Varchar(length=16, default="standard")
    description = Varchar(length=120, default="")
    events = Text(default="all")  # "all", or event kinds separated by spaces
    department: ForeignKey[Any] = ForeignKey(
        Department, on_delete=OnDelete.cascade, null=True, default=None, index=True
    )
    # The signing secret (whsec_…): HMAC needs the key itself. After a rotation the old
    # one signs too, until `previous_secret_until`, so receivers can switch over.
    secret = Varchar(length=80, default="")
    previous_secret = Varchar(length=80, default="")
    previous_secret_until = Timestamptz(null=True, default=None)
    active = Boolean(default=True)
    disabled_reason = Text(default="")
    created_by: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()


class WebhookDelivery(Table):
    """One event on its way to one endpoint: the exact body that is signed and sent (a
    redelivery sends it again with the same `message_id`), its attempts, and the last
    answer. Claimed with a lease, like the email outbox."""

    id: Serial
    endpoint: ForeignKey[Any] = ForeignKey(
        WebhookEndpoint, on_delete=OnDelete.cascade, null=False, index=True
    )
    event: ForeignKey[Any] = ForeignKey(DomainEvent, on_delete=OnDelete.set_null, null=True)
    # The idea and comment it tells of, looked at again before each attempt: a message
    # about what has since been hidden is withdrawn, never sent.
    idea = Integer(null=True, default=None)
    comment = Integer(null=True, default=None)
    kind = Varchar(length=40)
    message_id = Varchar(length=40)
    body = Text()
    state = Varchar(length=16, default="waiting")  # waiting, delivered, failed, withdrawn
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz()
    lease_until = Timestamptz(null=True, default=None)
    last_status = Integer(null=True, default=None)
    last_error = Text(default="")
    last_response = Text(default="")
    created_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)


EVENT_TABLES: tuple[type[Table], ...] = (DomainEvent, WebhookEndpoint, WebhookDelivery)
