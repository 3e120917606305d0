"""Webhooks at /admin/webhooks (admins), a department's Slack and Teams channels at
/departments/{id}/channels (its managers and admins), and their delivery logs."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.security import BoardRequest
from ideaboard.services import channels as channels_service
from ideaboard.services import webhooks
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.events import EventKind
from ideaboard.settings import Settings
from ideaboard.web import SignedIn, done, render, shown_once


async def webhooks_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    new_secret: str = "",
    status_code: int = 200,
) -> Response[str]:
    settings: Settings = request.app.state.settings
    return render(
        request,
        "admin/webhooks.html",
        status_code=status_code,
        section="webhooks",
        endpoints=await webhooks.list_endpoints(user.actor),
        kinds=list(EventKind),
        form=form or {"url": "", "description": "", "events": ["all"]},
        errors=errors or {},
        new_secret=new_secret,
        allowed_networks=settings.webhook_allowed_networks,
    )


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await webhooks_page(request, user)


async def add(request: BoardRequest, user: SignedIn) -> Response[Any]:
    raw = await request.form()
    chosen = [str(value) for value in raw.getall("events", [])]
    url, description = str(raw.get("url", "")).strip(), str(raw.get("description", "")).strip()
    form = {"url": url, "description": description, "events": chosen}
    events = "all" if "all" in chosen else " ".join(chosen)
    if not events:
        errors = {"events": str(webhooks.NO_EVENTS_CHOSEN)}
        return await webhooks_page(request, user, form=form, errors=errors, status_code=422)
    try:
        _, secret = await webhooks.add_endpoint(user.actor, url, events, description)
    except ValidationFailed as failed:
        return await webhooks_page(request, user, form=form, errors=failed.errors, status_code=422)
    page = await webhooks_page(request, user, new_secret=secret)
    return shown_once(page, request.app.route_reverse("admin:webhooks"))


async def endpoint_page(
    request: BoardRequest, user: SignedIn, endpoint_id: int, *, new_secret: str = ""
) -> Response[str]:
    return render(
        request,
        "admin/webhook.html",
        section="webhooks",
        endpoint=await webhooks.get_endpoint(user.actor, endpoint_id),
        deliveries=await webhooks.list_deliveries(user.actor, endpoint_id),
        new_secret=new_secret,
    )


async def show(request: BoardRequest, user: SignedIn, endpoint_id: FromPath[int]) -> Response[str]:
    return await endpoint_page(request, user, endpoint_id)


async def rotate(
    request: BoardRequest, user: SignedIn, endpoint_id: FromPath[int]
) -> Response[str]:
    secret = await webhooks.rotate_secret(user.actor, endpoint_id)
    page = await endpoint_page(request, user, endpoint_id, new_secret=secret)
    url = request.app.route_reverse("admin:webhook", endpoint_id=endpoint_id)
    return shown_once(page, url)


async def switch(
    request: BoardRequest, user: SignedIn, endpoint_id: FromPath[int]
) -> Response[Any]:
    on = (await request.form()).get("on") == "1"
    await webhooks.switch(user.actor, endpoint_id, on=on)
    url = request.app.route_reverse("admin:webhook", endpoint_id=endpoint_id)
    return done(request, url, "webhook_on" if on else "webhook_off")


async def send_test(
    request: BoardRequest, user: SignedIn, endpoint_id: FromPath[int]
) -> Response[Any]:
    await webhooks.send_test(user.actor, endpoint_id)
    url = request.app.route_reverse("admin:webhook", endpoint_id=endpoint_id)
    return done(request, url, "webhook_test_queued")


async def remove(
    request: BoardRequest, user: SignedIn, endpoint_id: FromPath[int]
) -> Response[Any]:
    await webhooks.remove_endpoint(user.actor, endpoint_id)
    return done(request, request.app.route_reverse("admin:webhooks"), "webhook_removed")


async def redeliver(
    request: BoardRequest, user: SignedIn, delivery_id: FromPath[int]
) -> Response[Any]:
    endpoint_id, department_id = await webhooks.redeliver(user.actor, delivery_id)
    url = (
        request.app.route_reverse("admin:webhook", endpoint_id=endpoint_id)
        if department_id is None
        else request.app.route_reverse("channels:show", department_id=department_id)
    )
    return done(request, url, "webhook_redelivered")


# --- a department's channels ---------------------------------------------------------------


async def channels_page(
    request: BoardRequest,
    user: SignedIn,
    department_id: int,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    channels = await channels_service.get_channels(user.actor, department_id)
    logs = {
        format: await webhooks.list_deliveries(user.actor, row.id)
        for format, row in (("slack", channels.slack), ("teams", channels.teams))
        if row is not None
    }
    return render(
        request,
        "departments/channels.html",
        status_code=status_code,
        channels=channels,
        logs=logs,
        form=form or {},
        errors=errors or {},
    )


async def channels(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int]
) -> Response[str]:
    return await channels_page(request, user, department_id)


async def set_channel(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int], format: FromPath[str]
) -> Response[Any]:
    raw = await request.form()
    url = str(raw.get(f"{format}_url", "")).strip() if raw.get("disconnect") != "1" else ""
    try:
        await channels_service.set_channel(user.actor, department_id, format, url)
    except ValidationFailed as failed:
        return await channels_page(
            request, user, department_id, form={f"{format}_url": url}, errors=failed.errors,
            status_code=422,
        )  # fmt: skip
    target = request.app.route_reverse("channels:show", department_id=department_id)
    return done(request, target, "channel_connected" if url else "channel_disconnected",
                kind=format.title())  # fmt: skip
