"""The bell: unread notifications, the list, marking them read."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.security import BoardRequest
from ideaboard.services import notifications
from ideaboard.services.validation import parse_id
from ideaboard.web import SignedIn, done, render, see_other


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    unread_only = request.query_params.get("show") == "unread"
    page = await notifications.list_notifications(
        user.id, before=parse_id(request.query_params.get("before", "")), unread_only=unread_only
    )
    return render(request, "notifications/index.html", page=page, unread_only=unread_only)


async def bell(request: BoardRequest, user: SignedIn) -> Response[str]:
    """The header's bell, polled by htmx so the count stays fresh."""
    return render(
        request, "base.html", block="bell", unread=await notifications.count_unread(user.id)
    )


async def open_one(
    request: BoardRequest, user: SignedIn, notification_id: FromPath[int]
) -> Response[Any]:
    """A notification is a link: following it marks it read and goes to its idea."""
    idea_id = await notifications.open_notification(user.id, notification_id)
    if idea_id:
        return see_other(request.app.route_reverse("ideas:show", idea_id=idea_id))
    return see_other("/notifications")


async def read_all(request: BoardRequest, user: SignedIn) -> Response[Any]:
    await notifications.mark_all_read(user.id)
    return done(request, "/notifications", "all_read")
