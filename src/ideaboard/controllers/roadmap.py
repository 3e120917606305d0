"""The roadmap: planned, in progress and recently done ideas, by department."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from ideaboard.services import roadmap
from ideaboard.services.validation import parse_id
from ideaboard.web import render

AnyRequest = Request[Any, Any, Any]


async def index(request: AnyRequest) -> Response[str]:
    department_id = parse_id(request.query_params.get("department", ""))
    page = await roadmap.get_roadmap(department_id)
    return render(request, "roadmap/index.html", roadmap=page)
