"""The moderation queue and the moderators' actions on ideas and comments."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.params import FromPath

from ideaboard.services import edits, moderation
from ideaboard.services.errors import ValidationFailed
from ideaboard.web import done, render, signed_in_user

AnyRequest = Request[Any, Any, Any]


def _next(form: Any, default: str = "/moderation") -> str:
    """Back where the action was taken (a local path only), else the queue."""
    target = str(form.get("next", ""))
    return target if target.startswith("/") and not target.startswith("//") else default


async def queue_page(
    request: AnyRequest,
    *,
    status_code: int = 200,
    errors: dict[str, dict[str, str]] | None = None,
    reasons: dict[str, str] | None = None,
) -> Response[str]:
    user = signed_in_user(request)
    queue = await moderation.get_queue(user.actor)
    return render(
        request,
        "moderation/index.html",
        status_code=status_code,
        queue=queue,
        errors=errors or {},
        reasons=reasons or {},
    )


async def index(request: AnyRequest) -> Response[str]:
    return await queue_page(request)


async def _act(
    request: AnyRequest, action: Any, key: str, message: str, undo: str = ""
) -> Response[Any]:
    """Do a moderator's action with the reason given, then back where it was taken, saying
    what was done (with Undo where there is one)."""
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        await action(reason)
    except ValidationFailed as failed:
        return await queue_page(
            request, status_code=422, errors={key: failed.errors}, reasons={key: reason}
        )
    back = _next(form)
    return done(request, back, message, undo=undo, undo_fields={"next": back} if undo else None)


async def approve_idea(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.decide_idea(actor, idea_id, approve=True),
        f"idea-{idea_id}",
        "approved",
    )


async def reject_idea(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda reason: moderation.decide_idea(actor, idea_id, approve=False, reason=reason),
        f"idea-{idea_id}",
        "rejected",
    )


async def hide_idea(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda reason: moderation.set_idea_hidden(actor, idea_id, hidden=True, reason=reason),
        f"idea-{idea_id}",
        "hidden",
        f"/moderation/ideas/{idea_id}/restore",
    )


async def restore_idea(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.set_idea_hidden(actor, idea_id, hidden=False),
        f"idea-{idea_id}",
        "restored",
    )


async def dismiss_idea_flags(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.dismiss_flags(actor, idea_id=idea_id),
        f"idea-{idea_id}",
        "flags_dismissed",
    )


async def approve_comment(request: AnyRequest, comment_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.decide_comment(actor, comment_id, approve=True),
        f"comment-{comment_id}",
        "approved",
    )


async def reject_comment(request: AnyRequest, comment_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda reason: moderation.decide_comment(actor, comment_id, approve=False, reason=reason),
        f"comment-{comment_id}",
        "rejected",
    )


async def hide_comment(request: AnyRequest, comment_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.set_comment_hidden(actor, comment_id, hidden=True),
        f"comment-{comment_id}",
        "hidden",
        f"/moderation/comments/{comment_id}/restore",
    )


async def restore_comment(request: AnyRequest, comment_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.set_comment_hidden(actor, comment_id, hidden=False),
        f"comment-{comment_id}",
        "restored",
    )


async def dismiss_comment_flags(request: AnyRequest, comment_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: moderation.dismiss_flags(actor, comment_id=comment_id),
        f"comment-{comment_id}",
        "flags_dismissed",
    )


async def approve_edit(request: AnyRequest, edit_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda _: edits.decide_edit(actor, edit_id, approve=True),
        f"edit-{edit_id}",
        "edit_approved",
    )


async def reject_edit(request: AnyRequest, edit_id: FromPath[int]) -> Response[Any]:
    actor = signed_in_user(request).actor
    return await _act(
        request,
        lambda reason: edits.decide_edit(
            actor,
            edit_id,
            approve=False,
            reason=moderation.checked_reason(reason, required=True, why=moderation.REJECT_WHY),
        ),
        f"edit-{edit_id}",
        "edit_rejected",
    )
