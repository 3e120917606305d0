"""The board, proposing and editing ideas, and voting."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Response
from litestar.params import FromPath

from ideaboard.controllers.files import refused_status, staged_files, store_of, upload_limits
from ideaboard.controllers.idea_page import idea_page
from ideaboard.csv_files import csv_text
from ideaboard.domain import Sort, posting_is_limited
from ideaboard.i18n import gettext
from ideaboard.security import BoardRequest, local_path
from ideaboard.services import (
    attachments,
    board,
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
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.validation import parse_id
from ideaboard.web import POSTED, SignedIn, done, htmx_target, is_htmx, render, see_other, too_many
from ideaboard.wording import plural


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    query = board.BoardQuery.from_params(request.query_params)
    page = await board.list_board(query, user.actor)
    target = htmx_target(request)
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
        csv_url="/ideas.csv?" + urlencode(query.to_params(after="")),
        votes_left=await votes.find_votes_left(user.id),
        checklist=await setup.find_checklist(user.actor) if block is None else None,
    )


BOARD_CSV_HEADER = ("id", "title", "status", "votes", "comments", "for_department",
                    "from_department", "author", "created_at", "url")  # fmt: skip
BOARD_CSV_MAX = 5000


async def board_csv(request: BoardRequest, user: SignedIn) -> Response[str]:
    """The board as the reader sees it now (its filters, sort and search), as CSV."""
    query = board.BoardQuery.from_params(request.query_params)
    page = await board.list_board(query, user.actor, page_size=BOARD_CSV_MAX)
    base = request.app.state.settings.effective_base_url
    rows = (
        [idea.id, idea.title, idea.status.label, idea.vote_count, idea.comment_count,
         idea.department, idea.from_department, idea.author_name,
         idea.created_at.isoformat(timespec="seconds"), f"{base}/ideas/{idea.id}"]
        for idea in page.ideas
    )  # fmt: skip
    delimiter = ";" if request.query_params.get("delimiter") == ";" else ","
    return Response(
        csv_text(BOARD_CSV_HEADER, rows, delimiter=delimiter),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ideas.csv"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip


async def _form_page(
    request: BoardRequest,
    template: str,
    *,
    form: ideas.IdeaInput | None,
    errors: dict[str, str],
    status_code: int = 200,
    staged: attachments.Staged | None = None,
    **context: Any,
) -> Response[str]:
    """The new or edit form; `staged`: the files a refused try keeps."""
    return render(
        request,
        template,
        status_code=status_code,
        form=form,
        errors=errors,
        departments=await departments.list_departments(),
        staged=staged.attachments if staged else [],
        upload_limits=upload_limits(request),
        **context,
    )


async def new_form(request: BoardRequest) -> Response[str]:
    return await _form_page(request, "ideas/new.html", form=None, errors={})


async def similar(request: BoardRequest, user: SignedIn) -> Response[str]:
    """Ideas like the title being typed on the new-idea form (an htmx fragment)."""
    title = request.query_params.get("title", "")[: ideas.TITLE_MAX]
    found = await board.list_similar(title, user.actor)
    return render(request, "ideas/_similar.html", block="similar_ideas", similar=found)


async def create(
    request: BoardRequest, user: SignedIn, data: Annotated[ideas.IdeaInput, POSTED]
) -> Response[Any]:
    staged = await staged_files(request, user.actor, slots=upload_limits(request).per_idea)
    try:
        if not data.errors() and posting_is_limited(user.actor):  # refused forms do not count
            await limits.hit("idea:user", str(user.id))
        idea_id = await ideas.create_idea(user.actor, data, staged)
    except ValidationFailed as failed:
        return await _form_page(
            request, "ideas/new.html", form=data, errors=failed.errors, staged=staged,
            status_code=refused_status(staged),
        )  # fmt: skip
    except limits.RateLimited as limited:
        page = await _form_page(
            request, "ideas/new.html", form=data, errors={"form": str(limited)}, staged=staged,
            status_code=429,
        )  # fmt: skip
        return too_many(page, limited)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    waits = await organisation.writing_waits(user.actor)
    return done(request, url, "idea_waiting" if waits else "idea_created")


async def show(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[str]:
    return await idea_page(request, user, idea_id)


async def edit_form(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[str]:
    idea = await ideas.get_editable_idea(idea_id, user.actor)
    # An edit still waiting for a moderator is where the author goes on from.
    waiting = await edits.find_waiting_idea_edit(idea_id, user.id)
    form = ideas.IdeaInput(
        title=waiting.new_title if waiting else idea.title,
        body=waiting.body if waiting else idea.body,
        department_id=str(waiting.department_id if waiting else idea.department_id),
        anonymous=idea.anonymous,
    )
    return await _form_page(
        request, "ideas/edit.html", form=form, errors={}, idea=idea, waiting=waiting,
        files=await attachments.list_for_idea(idea_id, user.actor, own_only=True),
    )  # fmt: skip


async def update(
    request: BoardRequest,
    user: SignedIn,
    data: Annotated[ideas.IdeaInput, POSTED],
    idea_id: FromPath[int],
) -> Response[Any]:
    """Save the edit, with the files added, and take off those the author ticked."""
    await ideas.get_editable_idea(idea_id, user.actor)  # before any file is taken in
    fields = await request.form()
    dropped = fields.getall("remove_attachment", [])
    existing = await attachments.list_for_idea(idea_id, user.actor, own_only=True)
    room = upload_limits(request).per_idea - len(existing) + len(dropped)
    staged = await staged_files(request, user.actor, slots=room)
    try:
        applied = await ideas.update_idea(user.actor, idea_id, data, staged)
    except ValidationFailed as failed:
        idea = await ideas.get_idea(idea_id, user.actor)
        return await _form_page(
            request, "ideas/edit.html", form=data, errors=failed.errors, staged=staged,
            status_code=refused_status(staged), idea=idea, files=existing, dropped=dropped,
        )  # fmt: skip
    await attachments.discard(user.actor, dropped, idea_id=idea_id, store=store_of(request))
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url, "idea_updated" if applied else "edit_waiting")


async def vote(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    """Set my vote to what the button said; a fragment for htmx, a redirect without JS."""
    form = await request.form()
    back = str(form.get("next", ""))
    refusal = None
    try:
        button: Any = await votes.set_vote(user.actor, idea_id, voted=form.get("voted") == "1")
    except votes.VoteBudgetSpent:
        if not is_htmx(request):
            raise
        # Said next to the button, which stays as it was; the votes-left line explains.
        refusal = gettext("All your votes are in use.")
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
    return see_other(local_path(back, request.app.route_reverse("ideas:show", idea_id=idea_id)))


async def follow(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    following = form.get("following") == "1"
    await follows.set_following(user.actor, idea_id, following=following)
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url, "following" if following else "unfollowed")


async def update_status(
    request: BoardRequest,
    user: SignedIn,
    data: Annotated[status_updates.StatusUpdateInput, POSTED],
    idea_id: FromPath[int],
) -> Response[Any]:
    try:
        told = await status_updates.update_status(user.actor, idea_id, data)
    except ValidationFailed as failed:
        return await idea_page(
            request, user, idea_id, status_code=422, status_form=data, status_errors=failed.errors
        )
    url = request.app.route_reverse("ideas:show", idea_id=idea_id) + "#updates"
    return done(request, url, "status_posted", followers=plural(told, "follower"))


async def merge(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    """Mark this idea a duplicate of another: its votes and followers move there."""
    target = str((await request.form()).get("target", ""))
    try:
        merged = await merges.merge_ideas(user.actor, idea_id, target)
    except ValidationFailed as failed:
        return await idea_page(
            request,
            user,
            idea_id,
            status_code=422,
            merge_form=target,
            moderation_errors=failed.errors,
        )
    # On to the idea it duplicates, where its votes are now; Undo comes back.
    return done(
        request, request.app.route_reverse("ideas:show", idea_id=merged.target_id), "merged",
        undo=request.app.route_reverse("ideas:unmerge", idea_id=idea_id),
        title=merged.duplicate_title,
    )  # fmt: skip


async def unmerge(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    try:
        await merges.unmerge_idea(user.actor, idea_id)
    except ValidationFailed as failed:
        return await idea_page(
            request, user, idea_id, status_code=422, moderation_errors=failed.errors
        )
    return done(request, request.app.route_reverse("ideas:show", idea_id=idea_id), "unmerged")


async def flag(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    """Ask moderators to look at this idea, or at one of its comments."""
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
            request,
            user,
            idea_id,
            status_code=422,
            flag_reason=reason,
            moderation_errors=failed.errors,
        )
    url = request.app.route_reverse("ideas:show", idea_id=idea_id)
    return done(request, url + (f"#comment-{comment_id}" if comment_id else ""), "flagged")


async def duplicates(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int]
) -> Response[str]:
    """Ideas whose title is like what is typed in "Duplicate of" (the options of its
    datalist): found like similar ideas, the idea itself and merged ones left out."""
    text = request.query_params.get("target", "")[: ideas.TITLE_MAX]
    found = await merges.list_merge_targets(text, user.actor, duplicate_id=idea_id)
    return render(request, "ideas/_duplicates.html", ideas=found)


async def flag_comment_form(
    request: BoardRequest, user: SignedIn, idea_id: FromPath[int], comment_id: FromPath[int]
) -> Response[str]:
    await moderation.require_flaggable_comment(user.actor, idea_id, comment_id)
    return render(
        request, "moderation/flag_comment.html",
        idea_id=idea_id, comment_id=comment_id, reason="", errors={},
    )  # fmt: skip
