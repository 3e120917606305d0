"""Pictures and files: served to those who may see what they are attached to, removed
and restored by moderators; and the files of a posted form, staged for its service."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Response
from litestar.params import FromPath

from ideaboard.domain import Actor
from ideaboard.security import BoardRequest
from ideaboard.services import attachments
from ideaboard.storage import Store
from ideaboard.web import SignedIn, done

# A file is not a page: it may run nothing, load nothing, and a picture may only be shown.
FILE_POLICY = "default-src 'none'; sandbox"
# Private: a browser keeps it for the reader, no shared cache keeps it for others.
FILE_CACHE = "private, max-age=3600"


def store_of(request: BoardRequest) -> Store:
    store: Store = request.app.state.store
    return store


def upload_limits(request: BoardRequest) -> attachments.Limits:
    return attachments.Limits.from_settings(request.app.state.settings)


async def staged_files(request: BoardRequest, actor: Actor, *, slots: int) -> attachments.Staged:
    """The form's new files checked and stored, after those it kept (`attachment`: the
    keys a refused try handed back), at most `slots` in all."""
    fields, uploads = await request.form_with_files()
    return await attachments.stage(
        actor, uploads, fields.getall("attachment", []), slots=max(slots, 0),
        store=store_of(request), limit=upload_limits(request),
    )  # fmt: skip


def refused_status(staged: attachments.Staged) -> int:
    """413 when a file was over the size limit, else 422: the form comes back either way."""
    return 413 if staged.too_large else 422


async def show(request: BoardRequest, user: SignedIn, key: FromPath[str]) -> Response[bytes]:
    """A picture (its web-size copy, shown) or a file (always a download)."""
    return await _serve(request, user.actor, key, "")


async def thumbnail(request: BoardRequest, user: SignedIn, key: FromPath[str]) -> Response[bytes]:
    return await _serve(request, user.actor, key, "thumb")


async def _serve(request: BoardRequest, reader: Actor, key: str, variant: str) -> Response[bytes]:
    served = await attachments.open_file(key, variant, reader, store_of(request))
    disposition = "inline" if served.inline else "attachment"
    return Response(
        served.data,
        media_type=served.content_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(served.file_name)}",
            "Content-Security-Policy": FILE_POLICY,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": FILE_CACHE,
            "Cross-Origin-Resource-Policy": "same-origin",
        },
    )


async def remove(request: BoardRequest, user: SignedIn, key: FromPath[str]) -> Response[Any]:
    idea_id = await attachments.set_removed(user.actor, key, removed=True)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + "#files"
    return done(
        request, url, "file_removed", undo=request.app.route_reverse("files:restore", key=key)
    )


async def restore(request: BoardRequest, user: SignedIn, key: FromPath[str]) -> Response[Any]:
    idea_id = await attachments.set_removed(user.actor, key, removed=False)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + "#files"
    return done(request, url, "file_restored")
