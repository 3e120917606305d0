"""The REST API, /api/v1: JSON for scripts and integrations, with a personal access
token. The same services as the pages (so the same permissions, validation and
visibility); errors as RFC 9457 problem details; OpenAPI 3.1 at /api/v1/openapi.json."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from ideaboard.api_schema import (
    PROBLEM_MEDIA_TYPE,
    CommentIn,
    CommentOut,
    DepartmentOut,
    IdeaDetailOut,
    IdeaIn,
    IdeaListOut,
    IdeaOut,
    MeOut,
    Problem,
    StatusIn,
    VoteOut,
    comment_out,
    idea_detail_out,
    idea_out,
    problem,
)
from ideaboard.domain import Sort
from ideaboard.error_pages import EXCEPTION_HANDLERS as PAGE_ERROR_HANDLERS
from ideaboard.security import refuse_impossible_input
from ideaboard.services import board, comments, departments, idea_page, ideas, limits, votes
from ideaboard.services.api_tokens import Caller, authenticate
from ideaboard.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from ideaboard.services.status_updates import StatusUpdateInput, update_status
from ideaboard.settings import Settings

log = logging.getLogger("ideaboard.api")

# Who the request acts as (provide_caller, the API router's one dependency).
ApiCaller = NamedDependency[Caller]

LIMIT_MAX = 100
# The board's filters, as the OpenAPI document lists them (services.board's choices).
StatusFilter = Literal[
    "open", "all", "new", "under_review", "planned", "in_progress", "done", "declined",
    "duplicate",
]  # fmt: skip
ScopeFilter = Literal["all", "for_mine", "from_outside"]

# The errors every operation may answer with, in the OpenAPI document.
PROBLEMS = {
    status: ResponseSpec(
        data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description
    )
    for status, description in [
        (400, "The request could not be read"),
        (401, "No live personal access token"),
        (403, "Not allowed (or a read-only token)"),
        (404, "No such idea, or not visible to you"),
        (422, "The body was read but refused: `errors` says why, by field"),
        (429, "Too many requests: see Retry-After"),
    ]
}


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.body = problem(status, title, detail, **extra)
        self.status = status


async def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    """Who the request acts as: the token's person (401 without a live token)."""
    caller = await authenticate(request.headers.get("authorization", ""))
    if caller is None:
        raise ApiProblem(
            401, "Unauthorized", "Send a live personal access token: Authorization: Bearer …"
        )
    await limits.hit("api:token", str(caller.token_id))
    return caller


async def refuse_impossible(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """The board's check of impossible input (security.refuse_impossible_input), answered
    as a problem: an exception raised before the handler would get the HTML error page."""
    try:
        await refuse_impossible_input(request)
    except HTTPException as error:
        return on_problem(request, error)
    return None


def _writable(caller: Caller) -> None:
    if not caller.may_write:
        raise ApiProblem(403, "Forbidden", "This token may read only: make one with write scope.")


def _base(request: Request[Any, Any, Any]) -> str:
    settings: Settings = request.app.state.settings
    return settings.effective_base_url


async def me(caller: ApiCaller) -> MeOut:
    department = await departments.get_department(caller.actor.department_id)
    return MeOut(
        id=caller.actor.id, name=caller.name, email=caller.email, role=caller.actor.role.value,
        department=DepartmentOut(id=department.id, name=department.name),
        token_scope=caller.scope,
    )  # fmt: skip


async def list_departments(caller: ApiCaller) -> list[DepartmentOut]:
    return [DepartmentOut(id=d.id, name=d.name) for d in await departments.list_departments()]


async def list_ideas(
    request: Request[Any, Any, Any],
    caller: ApiCaller,
    sort: FromQuery[Sort] = Sort.HOT,
    status: FromQuery[StatusFilter] = "open",
    department: FromQuery[int | None] = None,
    board_scope: Annotated[ScopeFilter, QueryParameter(name="scope")] = "all",
    q: FromQuery[str] = "",
    cursor: FromQuery[str] = "",
    limit: FromQuery[int] = board.PAGE_SIZE,
) -> Response[IdeaListOut]:
    """The board's view: its sorts and filters, newest page first; follow `next_cursor`
    (or the `Link: rel="next"` header) for the next page."""
    if not 1 <= limit <= LIMIT_MAX:
        raise ApiProblem(400, "Bad Request", f"limit is from 1 to {LIMIT_MAX}.")
    params = {"sort": sort, "status": status, "department": str(department or ""),
              "scope": board_scope, "q": q, "after": cursor}  # fmt: skip
    query = board.BoardQuery.from_params(params)
    page = await board.list_board(query, caller.actor, page_size=limit)
    body = IdeaListOut(
        ideas=[idea_out(idea, _base(request)) for idea in page.ideas],
        next_cursor=page.next_cursor,
    )
    headers = {}
    if page.next_cursor:
        following = {**request.query_params.dict(), "cursor": [page.next_cursor]}
        link = f"{_base(request)}{request.url.path}?{urlencode(following, doseq=True)}"
        headers["Link"] = f'<{link}>; rel="next"'
    return Response(body, headers=headers)


async def get_idea(
    request: Request[Any, Any, Any], caller: ApiCaller, idea_id: FromPath[int]
) -> IdeaDetailOut:
    page = await idea_page.get_idea_page(caller.actor, idea_id, mark_read=False)
    return idea_detail_out(page.idea, _base(request), owner=page.owner_name, updates=page.updates)


async def create_idea(
    request: Request[Any, Any, Any], caller: ApiCaller, data: JSONBody[IdeaIn]
) -> IdeaOut:
    _writable(caller)
    await limits.hit("idea:user", str(caller.actor.id))
    form = ideas.IdeaInput(
        title=data.title,
        body=data.body,
        department_id=str(data.department_id),
        anonymous=data.anonymous,
    )
    idea_id = await ideas.create_idea(caller.actor, form)
    page = await idea_page.get_idea_page(caller.actor, idea_id, mark_read=False)
    return idea_out(page.idea, _base(request))


async def _vote(caller: Caller, idea_id: FromPath[int], *, voted: bool) -> VoteOut:
    _writable(caller)
    await idea_page.get_idea_page(caller.actor, idea_id, mark_read=False)  # visible to them?
    button = await votes.set_vote(caller.actor, idea_id, voted=voted)
    return VoteOut(idea_id=button.id, voted=button.voted, vote_count=button.vote_count)


async def vote(caller: ApiCaller, idea_id: FromPath[int]) -> VoteOut:
    return await _vote(caller, idea_id, voted=True)


async def unvote(caller: ApiCaller, idea_id: FromPath[int]) -> VoteOut:
    return await _vote(caller, idea_id, voted=False)


async def list_comments(caller: ApiCaller, idea_id: FromPath[int]) -> list[CommentOut]:
    page = await idea_page.get_idea_page(caller.actor, idea_id, mark_read=False)
    return [comment_out(comment) for comment in page.comments]


async def create_comment(
    caller: ApiCaller, idea_id: FromPath[int], data: JSONBody[CommentIn]
) -> CommentOut:
    _writable(caller)
    await limits.hit("comment:user", str(caller.actor.id))
    comment_id = await comments.add_comment(
        caller.actor, idea_id, comments.CommentInput(body=data.body)
    )
    page = await idea_page.get_idea_page(caller.actor, idea_id, mark_read=False)
    return next(comment_out(c) for c in page.comments if c.id == comment_id)


async def post_status(
    request: Request[Any, Any, Any],
    caller: ApiCaller,
    idea_id: FromPath[int],
    data: JSONBody[StatusIn],
) -> IdeaDetailOut:
    """An official update: the idea's owner, a manager of its department, or an admin."""
    _writable(caller)
    await update_status(
        caller.actor, idea_id, StatusUpdateInput(status=data.status, message=data.message)
    )
    return await get_idea(request, caller, idea_id)


def on_problem(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, ApiProblem):
        body, status = error.body, error.status
    elif isinstance(error, ValidationFailed):
        body = problem(422, "Unprocessable Content", " ".join(error.errors.values()),
                       errors=error.errors)  # fmt: skip
        status = 422
    elif isinstance(error, limits.RateLimited):
        body, status = problem(429, "Too Many Requests", str(error)), 429
    elif isinstance(error, NotFound):
        body, status = problem(404, "Not Found", str(error)), 404
    elif isinstance(error, Forbidden):
        body, status = problem(403, "Forbidden", str(error)), 403
    elif isinstance(error, ServiceError):
        body, status = problem(400, "Bad Request", str(error)), 400
    elif isinstance(error, ValidationException):
        details = [f"{e.get('key', '')}: {e.get('message', '')}" for e in (error.extra or [])]  # type: ignore[union-attr]
        body, status = problem(400, "Bad Request", "; ".join(details) or str(error.detail)), 400
    elif isinstance(error, HTTPException):
        body, status = (
            problem(error.status_code, str(error.detail), str(error.detail)),
            error.status_code,
        )
    else:
        log.exception("API %s %s failed", request.method, request.url.path, exc_info=error)
        body, status = (
            problem(500, "Internal Server Error", "Something went wrong on our side."),
            500,
        )
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(error, limits.RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


# Every class the app answers with a page (error_pages) is answered here as a problem:
# Litestar takes the most specific class across layers, not the nearest layer.
EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    error: on_problem for error in [*PAGE_ERROR_HANDLERS, Exception]
}
