"""The triage: lanes of ideas to route, the per-idea Save, bulk actions, thresholds."""

from __future__ import annotations

from typing import Any

from litestar import Response
from litestar.params import FromPath

from ideaboard.domain import SETTABLE_STATUSES, Actor
from ideaboard.i18n import gettext
from ideaboard.security import BoardRequest, local_path
from ideaboard.services import routing, triage
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.validation import parse_id
from ideaboard.web import SignedIn, done, is_htmx, render
from ideaboard.wording import plural


def _status_options(
    actor: Actor, ideas: list[triage.TriageIdea], managed: set[int]
) -> dict[int, list[tuple[str, str]]]:
    choices = triage.list_status_choices(actor, ideas, managed)
    by_id = {idea.id: idea for idea in ideas}
    return {
        idea_id: [
            (
                s.value,
                gettext("%(status)s (no change)", status=s.label)
                if s is by_id[idea_id].status
                else s.label,
            )
            for s in statuses
        ]
        for idea_id, statuses in choices.items()
    }


async def triage_page(
    request: BoardRequest,
    user: SignedIn,
    *,
    status_code: int = 200,
    row_errors: dict[int, dict[str, str]] | None = None,
    row_forms: dict[int, routing.TriageInput] | None = None,
    bulk_errors: dict[str, str] | None = None,
    threshold_errors: dict[int, str] | None = None,
) -> Response[str]:
    query = triage.TriageQuery.from_params(request.query_params)
    board = await triage.get_triage(user.actor, query)
    shown = [idea for lane in [*board.lanes, board.mine] for idea in lane.ideas]
    return render(
        request,
        "triage/index.html",
        status_code=status_code,
        query=query,
        board=board,
        departments=board.departments,
        selectable=board.can_triage and query.view == "lanes",
        back=query.link(),
        status_options=_status_options(user.actor, shown, board.managed),
        bulk_statuses=[("", gettext("Keep each status"))]
        + [(s.value, s.label) for s in SETTABLE_STATUSES],
        row_errors=row_errors or {},
        row_forms=row_forms or {},
        bulk_errors=bulk_errors or {},
        threshold_errors=threshold_errors or {},
    )


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    return await triage_page(request, user)


async def save(request: BoardRequest, user: SignedIn, idea_id: FromPath[int]) -> Response[Any]:
    """One idea's Save: owner, status, update message, department; a row for htmx."""
    raw = await request.form()
    form = routing.TriageInput.from_form(raw)
    back = local_path(raw.get("back"), "/triage")
    if not back.startswith("/triage"):  # only back into the triage
        back = "/triage"
    try:
        result = await routing.save_triage(user.actor, idea_id, form)
    except ValidationFailed as failed:
        if is_htmx(request):
            return await _row(
                request, user, idea_id, form=form, errors=failed.errors, status_code=422
            )
        return await triage_page(
            request,
            user,
            status_code=422,
            row_errors={idea_id: failed.errors},
            row_forms={idea_id: form},
        )
    if is_htmx(request):
        return await _row(request, user, idea_id, saved=result.changed)
    return done(request, f"{back}#idea-{idea_id}", "triage_saved", title=result.title)


async def _row(
    request: BoardRequest,
    user: SignedIn,
    idea_id: int,
    *,
    form: routing.TriageInput | None = None,
    errors: dict[str, str] | None = None,
    saved: list[str] | None = None,
    status_code: int = 200,
) -> Response[str]:
    actor = user.actor
    idea = await triage.get_triage_idea(actor, idea_id)
    departments = await triage.list_triage_departments(actor)
    return render(
        request,
        "triage/index.html",
        block="triage_row",
        status_code=status_code,
        idea=idea,
        status_options=_status_options(actor, [idea], {d.id for d in departments if d.managed}),
        row_errors={idea_id: errors or {}},
        row_forms={idea_id: form} if form else {},
        departments=departments,
        selectable=bool(departments),
        saved_changes=saved,
        back="/triage",
    )


async def bulk(request: BoardRequest, user: SignedIn) -> Response[Any]:
    raw = await request.form()
    idea_ids = [i for i in (parse_id(str(v)) for v in raw.getall("idea_ids", [])) if i]
    form = routing.TriageInput(
        owner=str(raw.get("bulk_owner", "")).strip() or None,
        status=str(raw.get("bulk_status", "")).strip() or None,
        message=str(raw.get("bulk_message", "")).strip(),
    )
    try:
        result = await routing.save_bulk(user.actor, idea_ids, form)
    except ValidationFailed as failed:
        errors = {
            ("bulk_" + k if k in {"owner", "message", "status"} else k): v
            for k, v in failed.errors.items()
        }
        return await triage_page(request, user, status_code=422, bulk_errors=errors)
    if result.problems:
        return await triage_page(
            request,
            user,
            status_code=422,
            bulk_errors={"bulk": f"{result.saved} saved; {len(result.problems)} could not be:"},
            row_errors={i: {"status": p} for i, p in result.problems.items()},
        )
    return done(request, "/triage", "bulk_saved", count=plural(result.saved, "idea"))


async def set_threshold(
    request: BoardRequest, user: SignedIn, department_id: FromPath[int]
) -> Response[Any]:
    raw = await request.form()
    try:
        threshold = await routing.set_threshold(
            user.actor, department_id, str(raw.get("threshold", ""))
        )
    except ValidationFailed as failed:
        return await triage_page(
            request,
            user,
            status_code=422,
            threshold_errors={department_id: failed.errors["threshold"]},
        )
    return done(
        request, f"/triage?department={department_id}", "threshold_saved",
        name=threshold.department, votes=plural(threshold.votes, "vote"),
    )  # fmt: skip


async def people(request: BoardRequest, user: SignedIn) -> Response[str]:
    """Suggestions for an Owner field (the options of its datalist)."""
    text = next((v for k, v in request.query_params.items() if "owner" in k), "")
    found = await routing.list_people(user.actor, str(text))
    return render(request, "triage/_people.html", people=found)
