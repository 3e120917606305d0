"""Where events go, as admins and managers set it up: Standard Webhooks endpoints (admins,
at /admin/webhooks or `ideaboard webhook add`), a department's Slack and Teams channels
(its managers and admins), and each endpoint's delivery log with "send again"."""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from litestar.serialization import encode_json

from ideaboard.db import write_transaction
from ideaboard.domain import ALLOWED, Actor, Verdict, can_administer
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.events import EventKind, kinds_text, parse_kinds
from ideaboard.services.triage import find_triage_role
from ideaboard.services.validation import check_text
from ideaboard.tables import WebhookDelivery, WebhookEndpoint
from ideaboard.webhooks.sender import check_url

URL_MAX = 2000
DESCRIPTION_MAX = 120
# After a rotation the old secret signs too for this long, so receivers can switch.
ROTATION_OVERLAP = timedelta(hours=24)
LOG_SIZE = 50
NO_EVENTS_CHOSEN = lazy_gettext("Choose at least one event, or all.")
TEST_MESSAGE = lazy_gettext("A test message")

# Why an endpoint is off, kept as a key and worded for whoever reads it.
SWITCHED_OFF: dict[str, Any] = {
    "gone": lazy_gettext("The receiver answered 410 Gone: it wants no more messages."),
    "retries": lazy_gettext(
        "Nothing got through for ten attempts over about three days, so the board stopped."
    ),
    "admin": lazy_gettext("Switched off by an admin."),
}


def switched_off_text(key: str) -> str:
    return str(SWITCHED_OFF[key]) if key in SWITCHED_OFF else key


def new_signing_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass(frozen=True)
class EndpointRow:
    id: int
    url: str
    format: str
    description: str
    events: str
    department_id: int | None
    active: bool
    disabled_reason: str
    created_at: datetime
    rotating: bool  # an old secret still signs too
    waiting: int = 0
    failed: int = 0

    @property
    def why_off(self) -> str:
        return switched_off_text(self.disabled_reason)

    @property
    def shown_url(self) -> str:
        """A channel's URL is its password: only its host and last characters show."""
        if self.format == "standard":
            return self.url
        return f"{urlsplit(self.url).hostname}/…{self.url[-6:]}"


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    kind: str
    message_id: str
    state: str
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str
    last_response: str
    created_at: datetime
    finished_at: datetime | None
    body: str

    @property
    def label(self) -> str:
        """What the message tells of, in words."""
        if self.kind in EventKind.__members__.values():
            return EventKind(self.kind).label
        return str(TEST_MESSAGE) if self.kind == "webhook.test" else self.kind


ENDPOINT_COLUMNS = (
    WebhookEndpoint.id, WebhookEndpoint.url, WebhookEndpoint.format,
    WebhookEndpoint.description, WebhookEndpoint.events,
    WebhookEndpoint.department.as_alias("department_id"), WebhookEndpoint.active,
    WebhookEndpoint.disabled_reason, WebhookEndpoint.created_at,
    WebhookEndpoint.previous_secret_until,
)  # fmt: skip


def endpoint_row(record: dict[str, Any], counts: dict[tuple[int, str], int]) -> EndpointRow:
    until = record.pop("previous_secret_until")
    return EndpointRow(
        **record,
        rotating=until is not None and until > now(),
        waiting=counts.get((record["id"], "waiting"), 0),
        failed=counts.get((record["id"], "failed"), 0),
    )


async def delivery_counts() -> dict[tuple[int, str], int]:
    rows = await WebhookDelivery.raw(
        "SELECT endpoint, state, COUNT(*) AS n FROM webhook_delivery"
        " WHERE state IN ('waiting', 'failed') GROUP BY endpoint, state"
    )
    return {(row["endpoint"], row["state"]): row["n"] for row in rows}


async def list_endpoints(actor: Actor | None) -> list[EndpointRow]:
    """The Standard Webhooks endpoints, newest first (admins; no actor: the CLI)."""
    if actor is not None:
        require(can_administer(actor))
    records = await WebhookEndpoint.select(*ENDPOINT_COLUMNS).where(
        WebhookEndpoint.format == "standard"
    ).order_by(WebhookEndpoint.id, ascending=False)  # fmt: skip
    counts = await delivery_counts()
    return [endpoint_row(record, counts) for record in records]


def _check_endpoint(url: str, events: str, description: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_text(errors, "url", url, label=gettext("Address"), max_length=URL_MAX)
    if "url" not in errors and check_url(url):
        errors["url"] = gettext("Enter an address that starts with https:// (or http://).")
    if parse_kinds(events) is None:
        errors["events"] = gettext("Choose events from the list, or all.")
    check_text(errors, "description", description, label=gettext("Description"),
               max_length=DESCRIPTION_MAX, required=False)  # fmt: skip
    return errors


async def add_endpoint(
    actor: Actor | None, url: str, events: str, description: str = ""
) -> tuple[int, str]:
    """A new endpoint and its signing secret (shown to its maker; kept to sign)."""
    if actor is not None:
        require(can_administer(actor))
    url, description = url.strip(), " ".join(description.split())
    errors = _check_endpoint(url, events, description)
    if errors:
        raise ValidationFailed(errors)
    kinds = parse_kinds(events)
    assert kinds is not None
    secret = new_signing_secret()
    endpoint = WebhookEndpoint(
        url=url, format="standard", description=description, events=kinds_text(kinds),
        secret=secret, active=True, created_by=actor.id if actor else None, created_at=now(),
    )  # fmt: skip
    async with write_transaction():
        await endpoint.save()
        await add_audit(
            actor, "webhook.endpoint", target_type="webhook", target_id=endpoint.id,
            summary=f"Added the webhook {url} ({kinds_text(kinds)})",
        )  # fmt: skip
    return int(endpoint.id), secret


async def _endpoint(endpoint_id: int) -> dict[str, Any]:
    """A Standard Webhooks endpoint's row, with its secret."""
    record = await WebhookEndpoint.select(*ENDPOINT_COLUMNS, WebhookEndpoint.secret).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.format == "standard"
    ).first()  # fmt: skip
    if record is None:
        raise NotFound(gettext("This webhook does not exist."))
    return record


async def get_endpoint(actor: Actor, endpoint_id: int) -> EndpointRow:
    require(can_administer(actor))
    record = await _endpoint(endpoint_id)
    record.pop("secret")
    return endpoint_row(record, await delivery_counts())


async def rotate_secret(actor: Actor, endpoint_id: int) -> str:
    """A new signing secret; the old one keeps signing beside it for a day."""
    require(can_administer(actor))
    async with write_transaction():
        record = await _endpoint(endpoint_id)
        secret = new_signing_secret()
        await WebhookEndpoint.update(
            {
                WebhookEndpoint.secret: secret,
                WebhookEndpoint.previous_secret: record["secret"],
                WebhookEndpoint.previous_secret_until: now() + ROTATION_OVERLAP,
            }
        ).where(WebhookEndpoint.id == endpoint_id)
        await add_audit(
            actor, "webhook.endpoint", target_type="webhook", target_id=endpoint_id,
            summary=f"Rotated the signing secret of {record['url']}",
        )  # fmt: skip
    return secret


async def switch(actor: Actor, endpoint_id: int, *, on: bool) -> None:
    """Switch an endpoint on (again) or off; on again, it hears of new events only."""
    require(can_administer(actor))
    async with write_transaction():
        record = await _endpoint(endpoint_id)
        await WebhookEndpoint.update(
            {WebhookEndpoint.active: on, WebhookEndpoint.disabled_reason: "" if on else "admin"}
        ).where(WebhookEndpoint.id == endpoint_id)  # fmt: skip
        await add_audit(
            actor, "webhook.endpoint", target_type="webhook", target_id=endpoint_id,
            summary=f"Switched {'on' if on else 'off'} the webhook {record['url']}",
        )  # fmt: skip


async def remove_endpoint(actor: Actor, endpoint_id: int) -> None:
    require(can_administer(actor))
    async with write_transaction():
        record = await _endpoint(endpoint_id)
        await WebhookEndpoint.delete().where(WebhookEndpoint.id == endpoint_id)
        await add_audit(
            actor, "webhook.endpoint", target_type="webhook", target_id=endpoint_id,
            summary=f"Removed the webhook {record['url']}",
        )  # fmt: skip


async def send_test(actor: Actor, endpoint_id: int) -> None:
    """Queue a `webhook.test` message, to check the receiver and its signature check."""
    require(can_administer(actor))
    moment = now()
    body = {"type": "webhook.test", "timestamp": moment, "data": {"endpoint_id": endpoint_id}}
    async with write_transaction():
        await _endpoint(endpoint_id)
        await WebhookDelivery.insert(
            WebhookDelivery(
                endpoint=endpoint_id,
                kind="webhook.test",
                message_id=f"msg_{uuid.uuid4().hex}",
                body=encode_json(body).decode(),
                state="waiting",
                attempts=0,
                next_attempt_at=moment,
                created_at=moment,
            )
        )


async def list_deliveries(actor: Actor, endpoint_id: int) -> list[DeliveryRow]:
    """The endpoint's latest deliveries, newest first."""
    await _require_endpoint_access(actor, endpoint_id)
    rows = await WebhookDelivery.select(
        WebhookDelivery.id, WebhookDelivery.kind, WebhookDelivery.message_id,
        WebhookDelivery.state, WebhookDelivery.attempts, WebhookDelivery.next_attempt_at,
        WebhookDelivery.last_status, WebhookDelivery.last_error, WebhookDelivery.last_response,
        WebhookDelivery.created_at, WebhookDelivery.finished_at, WebhookDelivery.body,
    ).where(WebhookDelivery.endpoint == endpoint_id).order_by(
        WebhookDelivery.id, ascending=False
    ).limit(LOG_SIZE)  # fmt: skip
    return [DeliveryRow(**row) for row in rows]


async def redeliver(actor: Actor, delivery_id: int) -> tuple[int, int | None]:
    """Send a message again, as it was (same id and body), with fresh attempts. Returns
    its endpoint's id and department (a channel's). What the public may no longer see is
    withdrawn at sending."""
    record = await WebhookDelivery.select(
        WebhookDelivery.endpoint, WebhookDelivery.kind,
        WebhookDelivery.endpoint.department.as_alias("department"),
    ).where(WebhookDelivery.id == delivery_id).first()  # fmt: skip
    if record is None:
        raise NotFound(gettext("This delivery does not exist."))
    await _require_endpoint_access(actor, record["endpoint"])
    async with write_transaction():
        await WebhookDelivery.update(
            {
                WebhookDelivery.state: "waiting", WebhookDelivery.attempts: 0,
                WebhookDelivery.next_attempt_at: now(), WebhookDelivery.lease_until: None,
                WebhookDelivery.finished_at: None,
            }
        ).where(WebhookDelivery.id == delivery_id)  # fmt: skip
        await add_audit(
            actor, "webhook.redeliver", target_type="webhook", target_id=record["endpoint"],
            summary=f"Sent {record['kind']} again (delivery {delivery_id})",
        )  # fmt: skip
    return int(record["endpoint"]), record["department"]


# --- a department's Slack and Teams channels ---------------------------------------------


async def can_manage_channels(actor: Actor, department_id: int) -> Verdict:
    if actor.is_admin or (await find_triage_role(actor, department_id)).manages_department:
        return ALLOWED
    return Verdict(
        False, gettext("Only admins and this department's managers can connect its channels.")
    )


async def _require_endpoint_access(actor: Actor, endpoint_id: int) -> None:
    record = await WebhookEndpoint.select(WebhookEndpoint.department).where(
        WebhookEndpoint.id == endpoint_id
    ).first()  # fmt: skip
    if record is None:
        raise NotFound(gettext("This webhook does not exist."))
    if record["department"] is None:
        require(can_administer(actor))
    else:
        require(await can_manage_channels(actor, record["department"]))
