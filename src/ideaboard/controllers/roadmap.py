"""The roadmap: planned, in progress and recently done ideas, by department."""

from __future__ import annotations

from litestar import Response

from ideaboard.security import BoardRequest
from ideaboard.services import roadmap
from ideaboard.services.validation import parse_id
from ideaboard.web import render


async def index(request: BoardRequest) -> Response[str]:
    department_id = parse_id(request.query_params.get("department", ""))
    page = await roadmap.get_roadmap(department_id)
    return render(request, "roadmap/index.html", roadmap=page)
