"""/insights for admins and managers, and each section's figures as CSV."""

from __future__ import annotations

from litestar import Response
from litestar.params import FromPath

from ideaboard.controllers import insights_csv
from ideaboard.i18n import gettext
from ideaboard.security import BoardRequest
from ideaboard.services import insights
from ideaboard.services.errors import NotFound
from ideaboard.services.validation import parse_id
from ideaboard.web import SignedIn, render

OWNERS_SHOWN = 15  # silent the longest first; the CSV has them all


async def _page(
    request: BoardRequest, user: SignedIn, every_week: bool = False
) -> insights.InsightsPage:
    query = request.query_params
    return await insights.get_insights(
        user.actor,
        query.get("range", ""),
        parse_id(query.get("department", "")),
        start=query.get("start", "")[:20],
        end=query.get("end", "")[:20],
        every_week=every_week,
    )


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    page = await _page(request, user)
    return render(
        request,
        "insights/index.html",
        page=page,
        ranges=list(insights.RANGE_LABELS.items()),
        smallest_group=insights.SMALLEST_GROUP,
        status_label=insights.stage_label,
        owners_shown=OWNERS_SHOWN,
    )


async def section_csv(
    request: BoardRequest, user: SignedIn, file_name: FromPath[str]
) -> Response[str]:
    section = file_name.removesuffix(".csv")
    if not file_name.endswith(".csv") or section not in insights_csv.SECTIONS:
        raise NotFound(gettext("There is no such table."))
    page = await _page(request, user, every_week=section == "participation")
    period = page.period
    name = f"insights-{section}-{period.first.isoformat()}-{period.last_day.isoformat()}.csv"
    return Response(
        insights_csv.section_csv(section, page),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
