"""/insights: is the board working, and do ideas cross the company's silos?

Admins see every department; a department's managers see theirs, beside the company's
totals. Every section reads what was counted ahead, so a page reads a few hundred rows
whatever the board's size or the period's length: participation
(`insights_participation`), the flow between departments (`insights_flow`), the funnel
and responsiveness (`insights_funnel`), the contributors (`contributors`). Nobody can be
singled out: a department with fewer than `SMALLEST_GROUP` active people is folded into
"Other departments", and so is a from → for cell with fewer than that many different
authors.
Anonymous ideas count like any other, and never with a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ideaboard.domain import Actor, Status
from ideaboard.services.clock import now
from ideaboard.services.contributors import ContributorRow, top_contributors
from ideaboard.services.insight_rollups import monday_of
from ideaboard.services.insights_flow import Flow, flow
from ideaboard.services.insights_funnel import Funnel, funnel
from ideaboard.services.insights_participation import Participation, participation
from ideaboard.services.insights_scope import (
    OTHER,
    RANGE_LABELS,
    SMALLEST_GROUP,
    Period,
    Scope,
    headcounts,
    insights_scope,
    period_for,
)
from ideaboard.services.organisation import get_organisation

__all__ = ["OTHER", "RANGE_LABELS", "SMALLEST_GROUP", "InsightsPage", "get_insights"]


# --- the page -------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightsPage:
    period: Period
    scope: Scope  # narrowed to the department filter
    department_id: int | None  # the filter, None for all in scope
    participation: Participation
    flow: Flow
    funnel: Funnel
    contributors: list[ContributorRow]  # most shipped first, all time
    choices: dict[int, str]  # the departments the filter offers
    everything: bool  # an admin's: every department
    asked: dict[str, str]  # the dates asked for, as given


async def get_insights(
    actor: Actor,
    range_key: str,
    department_id: int | None,
    start: str = "",
    end: str = "",
    every_week: bool = False,
) -> InsightsPage:
    """The page (participation week by week for every department when `every_week`:
    the CSV's)."""
    scope = whole = await insights_scope(actor)
    organisation = await get_organisation()
    moment = now()
    period = period_for(range_key, monday_of(moment, organisation.digest.zone), start, end)
    if department_id in scope.departments:
        assert department_id is not None
        scope = scope.narrowed(department_id)
    else:
        department_id = None
    people = await headcounts()
    return InsightsPage(
        period, scope, department_id,
        await participation(scope, period, people, every_week), await flow(scope, period, people),
        await funnel(scope, period, people, moment), await top_contributors(scope),
        whole.departments, whole.everything,
        {"start": start, "end": end},
    )  # fmt: skip


def stage_label(stage: str) -> str:
    """A funnel stage's name in the reader's language."""
    return Status(stage).label
