"""The moderation queue and the moderators' actions on ideas and comments."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.security import BoardRequest, local_path
from ideaboard.services import edits, moderation
from ideaboard.services.errors import ValidationFailed
from ideaboard.web import SignedIn, done, render


def _next(form: Any, default: str = "/moderation") -> str:
    """Back where the action was taken, else the queue."""
    return local_path(form.get("next"), default)


async def queue_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    status_code: int = 200,
    errors: dict[str, dict[str, str]] | None = None,
    reasons: dict[str, str] | None = None,
) -> Response[str]:
    queue = await moderation.get_queue(user.actor)
    return render(
        request,
        "moderation/index.html",
        status_code=status_code,
        queue=queue,
        errors=errors or {},
        reasons=reasons or {},
    )


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await queue_page(request, user)


async def _act(
    request: BoardRequest,
    user: SignedIn,
    action: Any,
    key: str,
    message: str,
    undo: str = "",
) -> Response[Any]:
    """Do a moderator's action with the reason given, then back where it was taken, saying
    what was done (with Undo where there is one)."""
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        await action(reason)
    except ValidationFailed as failed:
        return await queue_page(
            request, user, status_code=422, errors={key: failed.errors}, reasons={key: reason}
        )
    back = _next(form)
    return done(request, back, message, undo=undo, undo_fields={"next": back} if undo else None)


async def approve_idea(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.decide_idea(actor, idea_id, approve=True),
        f"idea-{idea_id}",
        "approved",
    )


async def reject_idea(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda reason: moderation.decide_idea(actor, idea_id, approve=False, reason=reason),
        f"idea-{idea_id}",
        "rejected",
    )


async def hide_idea(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda reason: moderation.set_idea_hidden(actor, idea_id, hidden=True, reason=reason),
        f"idea-{idea_id}",
        "hidden",
        f"/moderation/ideas/{idea_id}/restore",
    )


async def restore_idea(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.set_idea_hidden(actor, idea_id, hidden=False),
        f"idea-{idea_id}",
        "restored",
    )


async def dismiss_idea_flags(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.dismiss_flags(actor, idea_id=idea_id),
        f"idea-{idea_id}",
        "flags_dismissed",
    )


async def approve_comment(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.decide_comment(actor, comment_id, approve=True),
        f"comment-{comment_id}",
        "approved",
    )


async def reject_comment(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda reason: moderation.decide_comment(actor, comment_id, approve=False, reason=reason),
        f"comment-{comment_id}",
        "rejected",
    )


async def hide_comment(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.set_comment_hidden(actor, comment_id, hidden=True),
        f"comment-{comment_id}",
        "hidden",
        f"/moderation/comments/{comment_id}/restore",
    )


async def restore_comment(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.set_comment_hidden(actor, comment_id, hidden=False),
        f"comment-{comment_id}",
        "restored",
    )


async def dismiss_comment_flags(
    request: BoardRequest, user: SignedIn, comment_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: moderation.dismiss_flags(actor, comment_id=comment_id),
        f"comment-{comment_id}",
        "flags_dismissed",
    )


async def approve_edit(
    request: BoardRequest, user: SignedIn, edit_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda _: edits.decide_edit(actor, edit_id, approve=True),
        f"edit-{edit_id}",
        "edit_approved",
    )


async def reject_edit(
    request: BoardRequest, user: SignedIn, edit_id: FromPath[int]
) -> Response[Any]:
    actor = user.actor
    return await _act(
        request,
        user,
        lambda reason: edits.decide_edit(
            actor,
            edit_id,
            approve=False,
            reason=moderation.checked_reason(reason, required=True, why=str(moderation.REJECT_WHY)),
        ),
        f"edit-{edit_id}",
        "edit_rejected",
    )
