"""A department's Slack and Teams channels: connected by its managers (or admins) at
/departments/{id}/channels, each an endpoint of format "slack" or "teams" that hears of
new ideas for the department, thresholds reached and status updates."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ideaboard.db import write_transaction
from ideaboard.domain import Actor
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.events import CHANNEL_KINDS, kinds_text
from ideaboard.services.validation import check_text
from ideaboard.services.webhooks import (
    ENDPOINT_COLUMNS,
    URL_MAX,
    EndpointRow,
    can_manage_channels,
    delivery_counts,
    endpoint_row,
)
from ideaboard.tables import Department, WebhookEndpoint
from ideaboard.webhooks.sender import check_url

FORMATS = ("slack", "teams")


@dataclass(frozen=True)
class Channels:
    department_id: int
    department: str
    slack: EndpointRow | None
    teams: EndpointRow | None


async def get_channels(actor: Actor, department_id: int) -> Channels:
    department = await Department.select(Department.id, Department.name).where(
        Department.id == department_id
    ).first()  # fmt: skip
    if department is None:
        raise NotFound(gettext("This department does not exist."))
    require(await can_manage_channels(actor, department_id))
    records = await WebhookEndpoint.select(*ENDPOINT_COLUMNS).where(
        WebhookEndpoint.department == department_id
    )  # fmt: skip
    counts = await delivery_counts()
    found = {record["format"]: endpoint_row(record, counts) for record in records}
    return Channels(department_id, department["name"], found.get("slack"), found.get("teams"))


CHANNEL_HOSTS = {
    "slack": lambda host: host == "hooks.slack.com",
    # Teams Workflows: *.logic.azure.com, or the newer *.environment.api.powerplatform.com.
    "teams": lambda host: host.endswith((".logic.azure.com", ".api.powerplatform.com")),
}


SLACK_URL_HELP = lazy_gettext(
    "Paste the address Slack gives an incoming webhook (https://hooks.slack.com/…)."
)
TEAMS_URL_HELP = lazy_gettext(
    "Paste the address of the Teams workflow “Post to a channel when a webhook request is"
    " received” (https://….logic.azure.com/…)."
)


async def set_channel(actor: Actor, department_id: int, format: str, url: str) -> None:
    """Connect (or, with an empty URL, disconnect) the department's Slack or Teams
    channel. A manager's URL must be Slack's or Teams Workflows' own, over https, so a
    channel setting cannot aim the board anywhere else; an admin may name any receiver
    (a relay on the intranet), still under the sender's address rules."""
    require(await can_manage_channels(actor, department_id))
    if format not in FORMATS:
        raise NotFound(gettext("This kind of channel does not exist."))
    url = url.strip()
    field = f"{format}_url"
    errors: dict[str, str] = {}
    if url:
        check_text(errors, field, url, label=gettext("Address"), max_length=URL_MAX)
        host = urlsplit(url).hostname or ""
        own = url.startswith("https://") and CHANNEL_HOSTS[format](host)
        if field not in errors and (check_url(url) or not (own or actor.is_admin)):
            errors[field] = str(SLACK_URL_HELP if format == "slack" else TEAMS_URL_HELP)
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        await WebhookEndpoint.delete().where(
            WebhookEndpoint.department == department_id, WebhookEndpoint.format == format
        )
        if url:
            await WebhookEndpoint.insert(
                WebhookEndpoint(
                    url=url,
                    format=format,
                    events=kinds_text(CHANNEL_KINDS),
                    department=department_id,
                    active=True,
                    created_by=actor.id,
                    created_at=now(),
                )
            )
        await add_audit(
            actor, "department.channel", target_type="department", target_id=department_id,
            summary=f"{'Connected' if url else 'Disconnected'} the {format.title()} channel",
        )  # fmt: skip
