"""The baselines measured beside the real board, in the same run, with the same server.

- a bare handler returning a short string (GET), and a bare POST that renders the
  vote button fragment from memory, behind the same CSRF check as the real vote.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Litestar, Request, Response, get, post
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.plugins.htmx import HTMXPlugin

from ideaboard.domain import Role, Status
from ideaboard.routes import ROUTES
from ideaboard.security import SecurityHeadersMiddleware, security_headers
from ideaboard.services.ideas import IdeaView
from ideaboard.services.organisation import OrganisationRow
from ideaboard.services.sessions import CurrentUser
from ideaboard.settings import Settings, resolve_secret_key
from ideaboard.templating import bind_app, build_templates
from ideaboard.web import DEPENDENCIES, render

READER = CurrentUser(
    id=1,
    name="Ada Admin",
    email="admin@example.com",
    role=Role.MEMBER,
    department_id=1,
    department_name="Operations",
)
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
BODY_HTML = "<p><strong>What happens today:</strong> the docks and the vans slow us down.</p>"


def _idea(n: int) -> IdeaView:
    return IdeaView(
        id=n,
        title=f"Shared calendar for the loading docks, number {n}",
        body="",
        body_html=BODY_HTML,
        status=Status.NEW,
        vote_count=n,
        comment_count=n % 7,
        created_at=MOMENT,
        updated_at=MOMENT,
        author_id=2,
        author_name="Mia Member",
        from_department_id=2,
        from_department="Customer Service",
        department_id=1,
        department="Operations",
    )


ORGANISATION = OrganisationRow(id=1, name="Benchmark Industries", allowed_email_domains=())


def _as_reader(request: Request[Any, Any, Any]) -> None:
    request.scope["user"] = READER
    request.state.organisation = ORGANISATION


@get("/bare", name="bench:bare")
async def bare() -> str:
    return "ok"


@post("/bare", name="bench:bare_post")
async def bare_post(request: Request[Any, Any, Any]) -> Response[str]:
    _as_reader(request)
    form = await request.form()
    return render(
        request,
        "ideas/_vote_response.html",
        block="vote_response",
        idea=_idea(1),
        back=form.get("next", ""),
        refusal=None,
        votes_left=None,
    )


def create_baseline_app(settings: Settings | None = None) -> Litestar:
    """The real routes (so url_for works) plus the baselines, without a database."""
    settings = settings or Settings.from_env()
    templates = build_templates(settings)
    app = Litestar(
        route_handlers=[*ROUTES, bare, bare_post],
        state=State(
            {
                "settings": settings,
                "templates": templates,
                "security_headers": security_headers(settings),
            }
        ),
        csrf_config=CSRFConfig(secret=resolve_secret_key(settings), cookie_name="csrftoken"),
        plugins=[HTMXPlugin()],
        dependencies=DEPENDENCIES,
        middleware=[SecurityHeadersMiddleware()],
    )
    return bind_app(templates, app)
