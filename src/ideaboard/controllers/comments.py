"""Comments on an idea: post, edit, delete."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.controllers.files import refused_status, staged_files, store_of, upload_limits
from ideaboard.controllers.idea_page import idea_page
from ideaboard.domain import posting_is_limited
from ideaboard.security import BoardRequest
from ideaboard.services import comments, file_keeping, limits, organisation
from ideaboard.services.errors import ValidationFailed, require
from ideaboard.web import POSTED, SignedIn, done, is_htmx, render, see_other, too_many


async def create(
    request: BoardRequest,
    user: SignedIn,
    data: Annotated[comments.CommentInput, POSTED],
    idea_id: FromPath[int],
) -> Response[Any]:
    block = "comments" if is_htmx(request) else None
    await comments.require_commentable(user.actor, idea_id)  # before any file is taken in
    staged = await staged_files(request, user.actor, slots=upload_limits(request).per_comment)
    try:
        if not data.errors() and posting_is_limited(user.actor):
            await limits.hit("comment:user", str(user.id))
        comment_id = await comments.add_comment(user.actor, idea_id, data, staged)
    except ValidationFailed as failed:
        return await idea_page(
            request, user, idea_id, block=block, status_code=refused_status(staged),
            comment_form=data, errors=failed.errors, comment_staged=staged.attachments,
        )  # fmt: skip
    except limits.RateLimited as limited:
        page = await idea_page(
            request, user, idea_id, block=block, status_code=429, comment_form=data,
            errors={"body": str(limited)}, comment_staged=staged.attachments,
        )  # fmt: skip
        return too_many(page, limited)
    if block:
        return await idea_page(request, user, idea_id, block=block)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + f"#comment-{comment_id}"
    if await organisation.writing_waits(user.actor):
        return done(request, url, "comment_waiting")
    return see_other(url)


async def edit_form(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[str]:
    comment = await comments.get_comment(comment_id, user.actor)
    require(comment.can_edit(user.actor))
    form = comments.CommentInput(body=comment.body)
    return render(request, "comments/edit.html", comment=comment, form=form, errors={})


async def update(
    request: BoardRequest,
    user: SignedIn,
    data: Annotated[comments.CommentInput, POSTED],
    comment_id: FromPath[int],
) -> Response[Any]:
    comment = await comments.get_comment(comment_id, user.actor)
    try:
        applied = await comments.update_comment(user.actor, comment_id, data)
    except ValidationFailed as failed:
        return render(
            request, "comments/edit.html", status_code=422, comment=comment, form=data,
            errors=failed.errors,
        )  # fmt: skip
    url = request.app.route_reverse("ideas:show", idea_id=comment.idea_id)
    return done(
        request, f"{url}#comment-{comment.id}", "comment_updated" if applied else "edit_waiting"
    )


async def delete(request: BoardRequest, user: SignedIn, comment_id: FromPath[int]) -> Response[Any]:
    files = await file_keeping.stored_of(comment_ids=[comment_id])
    idea_id = await comments.remove_comment(user.actor, comment_id)
    await file_keeping.delete_stored(store_of(request), files)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + "#comments"
    return done(request, url, "comment_deleted")
