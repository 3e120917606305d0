"""The idea page as its forms re-render it: the page of `ideas.show`, with the input and
errors of a refused form (a comment, a status update, a merge, a flag) put back in."""

from __future__ import annotations

from litestar import Response

from ideaboard.i18n import gettext
from ideaboard.security import BoardRequest
from ideaboard.services import comments, status_updates
from ideaboard.services import idea_page as idea_pages
from ideaboard.services.attachments import AttachmentView, Limits
from ideaboard.web import SignedIn, render


async def idea_page(
    request: BoardRequest,
    user: SignedIn,
    idea_id: int,
    *,
    block: str | None = None,
    status_code: int = 200,
    comment_form: comments.CommentInput | None = None,
    errors: dict[str, str] | None = None,
    status_form: status_updates.StatusUpdateInput | None = None,
    status_errors: dict[str, str] | None = None,
    merge_form: str = "",
    moderation_errors: dict[str, str] | None = None,
    flag_reason: str = "",
    comment_staged: list[AttachmentView] | None = None,
) -> Response[str]:
    """The idea with its comments; with `block`, only that part of it. The forms' input
    and errors, when one was refused, go back into it."""
    page = await idea_pages.get_idea_page(user.actor, idea_id, mark_read=block is None)
    idea = page.idea
    return render(
        request,
        "ideas/show.html",
        block=block,
        status_code=status_code,
        page=page,
        idea=idea,
        comment_form=comment_form,
        errors=errors or {},
        status_choices=[
            (
                s.value,
                gettext("%(status)s (no change)", status=s.label) if s is idea.status else s.label,
            )
            for s in page.status_options
        ],
        status_form=status_form
        or status_updates.StatusUpdateInput(status=idea.status.value, message=""),
        status_errors=status_errors or {},
        merge_form=merge_form,
        moderation_errors=moderation_errors or {},
        flag_reason=flag_reason,
        comment_staged=comment_staged or [],
        upload_limits=Limits.from_settings(request.app.state.settings),
    )
