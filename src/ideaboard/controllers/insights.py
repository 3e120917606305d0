"""/insights for admins and managers, and each section's figures as CSV."""

from __future__ import annotations

import csv
import io

from litestar import Response
from litestar.params import FromPath

from ideaboard.i18n import gettext
from ideaboard.security import BoardRequest
from ideaboard.services import insights
from ideaboard.services.errors import NotFound
from ideaboard.services.validation import parse_id
from ideaboard.web import SignedIn, render

SECTIONS = ("participation", "flow")


async def _page(request: BoardRequest, user: SignedIn) -> insights.InsightsPage:
    return await insights.get_insights(
        user.actor,
        request.query_params.get("range", "quarter"),
        parse_id(request.query_params.get("department", "")),
    )


async def index(request: BoardRequest, user: SignedIn) -> Response[str]:
    page = await _page(request, user)
    return render(
        request,
        "insights/index.html",
        page=page,
        ranges=list(insights.RANGE_LABELS.items()),
        smallest_group=insights.SMALLEST_GROUP,
    )


def _safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _percent(value: float) -> str:
    return f"{value * 100:.1f}"


async def section_csv(
    request: BoardRequest, user: SignedIn, file_name: FromPath[str]
) -> Response[str]:
    section = file_name.removesuffix(".csv")
    if not file_name.endswith(".csv") or section not in SECTIONS:
        raise NotFound(gettext("There is no such table."))
    page = await _page(request, user)
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\r\n")
    if section == "participation":
        table.writerow(["department", "week", "active_people", "participants", "share_percent",
                        "proposers", "voters", "commenters"])  # fmt: skip
        for row in [page.participation.company, *page.participation.departments]:
            for week in row.weeks:
                table.writerow(
                    [_safe(row.name), week.week, week.people, week.participants,
                     _percent(week.share), week.proposers, week.voters, week.commenters]
                )  # fmt: skip
    else:
        flow = page.flow
        table.writerow(["from_department", "for_department", "ideas", "votes_per_idea",
                        "planned_or_further_percent", "done_percent"])  # fmt: skip
        for (source, target), tally in sorted(flow.cells.items()):
            names = dict(flow.sources) | dict(flow.targets)
            table.writerow(
                [_safe(names[source]), _safe(names[target]), tally.ideas,
                 f"{tally.votes_per_idea:.2f}", _percent(tally.planned_share),
                 _percent(tally.done_share)]
            )  # fmt: skip
    name = f"insights-{section}-{page.period.key}.csv"
    return Response(
        "\ufeff" + out.getvalue(),  # a BOM: Excel then reads it as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
