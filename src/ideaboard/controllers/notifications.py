"""The bell: unread notifications, the list, marking them read."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.params import FromPath

from ideaboard.services import notifications
from ideaboard.services.validation import parse_id
from ideaboard.web import done, render, see_other, signed_in_user

AnyRequest = Request[Any, Any, Any]


async def index(request: AnyRequest) -> Response[str]:
    user = signed_in_user(request)
    unread_only = request.query_params.get("show") == "unread"
    page = await notifications.list_notifications(
        user.id, before=parse_id(request.query_params.get("before", "")), unread_only=unread_only
    )
    return render(request, "notifications/index.html", page=page, unread_only=unread_only)


async def bell(request: AnyRequest) -> Response[str]:
    """The header's bell, polled by htmx so the count stays fresh."""
    user = signed_in_user(request)
    return render(
        request, "base.html", block="bell", unread=await notifications.count_unread(user.id)
    )


async def open_one(request: AnyRequest, notification_id: FromPath[int]) -> Response[Any]:
    """A notification is a link: following it marks it read and goes to its idea."""
    user = signed_in_user(request)
    idea_id = await notifications.open_notification(user.id, notification_id)
    if idea_id:
        return see_other(request.app.route_reverse("ideas:show", idea_id=idea_id))
    return see_other("/notifications")


async def read_all(request: AnyRequest) -> Response[Any]:
    user = signed_in_user(request)
    await notifications.mark_all_read(user.id)
    return done(request, "/notifications", "all_read")
