"""The board, proposing and editing ideas, and voting."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.params import FromPath

from ideaboard.domain import Sort, can_edit_idea, posting_is_limited
from ideaboard.services import (
    board,
    comments,
    departments,
    edits,
    follows,
    ideas,
    limits,
    merges,
    moderation,
    organisation,
    setup,
    status_updates,
    votes,
)
from ideaboard.services import idea_page as idea_pages
from ideaboard.services.errors import ValidationFailed, require
from ideaboard.services.validation import parse_id
from ideaboard.web import done, is_htmx, render, see_other, signed_in_user, too_many
from ideaboard.wording import plural

AnyRequest = Request[Any, Any, Any]


async def index(request: AnyRequest) -> Response[str]:
    user = signed_in_user(request)
    query = board.BoardQuery.from_params(request.query_params)
    page = await board.list_board(query, user.actor)
    target = request.headers.get("hx-target") if is_htmx(request) else None
    block = {"show-more": "idea_page", "board-results": "board_results"}.get(target or "")
    return render(
        request,
        "ideas/board.html",
        block=block,
        query=query,
        page=page,
        sorts=list(Sort),
        departments=await departments.all_departments(),
        status_filters=board.STATUS_FILTERS,
        scopes=board.SCOPES,
        next_url="/?" + urlencode(query.to_params(after=page.next_cursor))
        if page.next_cursor
        else None,
        link=lambda **changes: "/?" + urlencode(query.to_params(after="", **changes)),
        votes_left=await votes.find_votes_left(user.id),
        checklist=await setup.find_checklist(user.actor) if block is None else None,
    )


async def _form_page(
    request: AnyRequest,
    template: str,
    *,
    form: ideas.IdeaInput | None,
    errors: dict[str, str],
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    return render(
        request,
        template,
        status_code=status_code,
        form=form,
        errors=errors,
        departments=await departments.list_departments(),
        **context,
    )


async def new_form(request: AnyRequest) -> Response[str]:
    return await _form_page(request, "ideas/new.html", form=None, errors={})


async def similar(request: AnyRequest) -> Response[str]:
    """Ideas like the title being typed on the new-idea form (an htmx fragment)."""
    user = signed_in_user(request)
    title = request.query_params.get("title", "")[: ideas.TITLE_MAX]
    found = await board.list_similar(title, user.actor)
    return render(request, "ideas/_similar.html", block="similar_ideas", similar=found)


async def create(request: AnyRequest) -> Response[Any]:
    user = signed_in_user(request)
    form = ideas.IdeaInput.from_form(await request.form())
    try:
        if not form.errors() and posting_is_limited(user.actor):  # refused forms do not count
            await limits.hit("idea:user", str(user.id))
        idea_id = await ideas.create_idea(user.actor, form)
    except ValidationFailed as failed:
        return await _form_page(
            request, "ideas/new.html", form=form, errors=failed.errors, status_code=422
        )
    except limits.RateLimited as limited:
        page = await _form_page(
            request, "ideas/new.html", form=form, errors={"form": str(limited)}, status_code=429
        )
        return too_many(page, limited)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    waits = await organisation.writing_waits(user.actor)
    return done(request, url, "idea_waiting" if waits else "idea_created")


async def idea_page(
    request: AnyRequest,
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
) -> Response[str]:
    """The idea with its comments; with `block`, only that part of it. The forms' input
    and errors, when one was refused, go back into it."""
    user = signed_in_user(request)
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
            (s.value, f"{s.label} (no change)" if s is idea.status else s.label)
            for s in page.status_options
        ],
        status_form=status_form
        or status_updates.StatusUpdateInput(status=idea.status.value, message=""),
        status_errors=status_errors or {},
        merge_form=merge_form,
        moderation_errors=moderation_errors or {},
        flag_reason=flag_reason,
    )


async def show(request: AnyRequest, idea_id: FromPath[int]) -> Response[str]:
    return await idea_page(request, idea_id)


async def edit_form(request: AnyRequest, idea_id: FromPath[int]) -> Response[str]:
    user = signed_in_user(request)
    idea = await ideas.get_idea(idea_id, user.actor)
    require(can_edit_idea(user.actor, author_id=idea.author_id, status=idea.status))
    # An edit still waiting for a moderator is where the author goes on from.
    waiting = await edits.find_waiting_idea_edit(idea_id, user.id)
    form = ideas.IdeaInput(
        title=waiting.new_title if waiting else idea.title,
        body=waiting.body if waiting else idea.body,
        department_id=str(waiting.department_id if waiting else idea.department_id),
        anonymous=idea.anonymous,
    )
    return await _form_page(
        request, "ideas/edit.html", form=form, errors={}, idea=idea, waiting=waiting
    )


async def update(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    form = ideas.IdeaInput.from_form(await request.form())
    try:
        applied = await ideas.update_idea(user.actor, idea_id, form)
    except ValidationFailed as failed:
        idea = await ideas.get_idea(idea_id, user.actor)
        return await _form_page(
            request, "ideas/edit.html", form=form, errors=failed.errors, status_code=422, idea=idea
        )
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url, "idea_updated" if applied else "edit_waiting")


async def vote(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    """Set my vote to what the button said; a fragment for htmx, a redirect without JS."""
    user = signed_in_user(request)
    form = await request.form()
    back = str(form.get("next", ""))
    refusal = None
    try:
        button: Any = await votes.set_vote(user.actor, idea_id, voted=form.get("voted") == "1")
    except votes.VoteBudgetSpent:
        if not is_htmx(request):
            raise
        # Said next to the button, which stays as it was; the votes-left line explains.
        refusal = "All your votes are in use."
        button = await ideas.get_idea(idea_id, user.actor)
    if is_htmx(request):
        return render(
            request,
            "ideas/_vote_response.html",
            block="vote_response",
            idea=button,
            back=back,
            refusal=refusal,
            oob=True,
            votes_left=await votes.find_votes_left(user.id),
        )
    if not back.startswith("/") or back.startswith("//"):
        back = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return see_other(back)


async def follow(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    form = await request.form()
    following = form.get("following") == "1"
    await follows.set_following(user.actor, idea_id, following=following)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url, "following" if following else "unfollowed")


async def update_status(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    form = status_updates.StatusUpdateInput.from_form(await request.form())
    try:
        told = await status_updates.update_status(user.actor, idea_id, form)
    except ValidationFailed as failed:
        return await idea_page(
            request, idea_id, status_code=422, status_form=form, status_errors=failed.errors
        )
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + "#updates"
    return done(request, url, "status_posted", followers=plural(told, "follower"))


async def merge(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    """Mark this idea a duplicate of another: its votes and followers move there."""
    user = signed_in_user(request)
    target = str((await request.form()).get("target", ""))
    try:
        merged = await merges.merge_ideas(user.actor, idea_id, target)
    except ValidationFailed as failed:
        return await idea_page(
            request, idea_id, status_code=422, merge_form=target, moderation_errors=failed.errors
        )
    # On to the idea it duplicates, where its votes are now; Undo comes back.
    return done(
        request, request.app.route_reverse("ideas:show", idea_id=merged.target_id), "merged",
        undo=request.app.route_reverse("ideas:unmerge", idea_id=idea_id),
        title=merged.duplicate_title,
    )  # fmt: skip


async def unmerge(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    user = signed_in_user(request)
    try:
        await merges.unmerge_idea(user.actor, idea_id)
    except ValidationFailed as failed:
        return await idea_page(request, idea_id, status_code=422, moderation_errors=failed.errors)
    return done(request, request.app.route_reverse("ideas:show", idea_id=idea_id), "unmerged")


async def flag(request: AnyRequest, idea_id: FromPath[int]) -> Response[Any]:
    """Ask moderators to look at this idea, or at one of its comments."""
    user = signed_in_user(request)
    form = await request.form()
    reason = str(form.get("reason", ""))
    comment_id = parse_id(str(form.get("comment_id", "")))
    try:
        await moderation.add_flag(user.actor, idea_id, reason, comment_id=comment_id)
    except ValidationFailed as failed:
        if comment_id:
            return render(
                request, "moderation/flag_comment.html", status_code=422,
                idea_id=idea_id, comment_id=comment_id, reason=reason, errors=failed.errors,
            )  # fmt: skip
        return await idea_page(
            request, idea_id, status_code=422, flag_reason=reason, moderation_errors=failed.errors
        )
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url + (f"#comment-{comment_id}" if comment_id else ""), "flagged")


async def duplicates(request: AnyRequest, idea_id: FromPath[int]) -> Response[str]:
    """Ideas whose title is like what is typed in "Duplicate of" (the options of its
    datalist): found like similar ideas, the idea itself and merged ones left out."""
    user = signed_in_user(request)
    text = request.query_params.get("target", "")[: ideas.TITLE_MAX]
    found = await merges.list_merge_targets(text, user.actor, duplicate_id=idea_id)
    return render(request, "ideas/_duplicates.html", ideas=found)


async def flag_comment_form(
    request: AnyRequest, idea_id: FromPath[int], comment_id: FromPath[int]
) -> Response[str]:
    user = signed_in_user(request)
    await moderation.require_flaggable_comment(user.actor, idea_id, comment_id)
    return render(
        request, "moderation/flag_comment.html",
        idea_id=idea_id, comment_id=comment_id, reason="", errors={},
    )  # fmt: skip
