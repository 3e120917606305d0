"""/insights over any weeks: a custom range read as spans summed ahead says what its
weeks say, and a hidden idea leaves every count at the next count. Both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import Personas
from ideaboard.services import insight_rollups, insights, moderation, spans
from ideaboard.services.clock import now
from ideaboard.services.insights_scope import Period
from ideaboard.services.organisation import get_organisation
from ideaboard.services.progress import COUNTS, Progress, add_to, journey, rounded_days
from ideaboard.tables import Idea
from test_insights import a_year_of_answers, expected_contributors, expected_progress


@pytest.mark.parametrize(
    ("first", "weeks"),
    [(date(2026, 11, 30), 1), (date(2025, 12, 1), 52), (date(2021, 12, 6), 265),
     (date(1990, 1, 1), 256), (date(2024, 2, 5), 13)],
)  # fmt: skip
def test_any_weeks_are_a_few_aligned_spans(first: date, weeks: int) -> None:
    parts = spans.pieces(first, weeks)
    covered = [spans.number(first) + n for n in range(weeks)]
    assert [w for size, start in parts for w in range(start, start + size)] == covered
    assert all(start % size == 0 for size, start in parts)  # each an aligned span
    for size in (1, *spans.SIZES):  # at most three of a size at each end
        assert sum(s == size for s, _ in parts) <= 6
    assert len(parts) <= 27
    if weeks >= 52:
        assert len(parts) < weeks / 3


def test_a_week_is_in_one_span_of_each_size() -> None:
    week = date(2026, 11, 30)
    held = spans.holding([week, week - timedelta(days=7)])
    for size in spans.SIZES:
        mine = [start for s, start in held if s == size]
        assert any(start <= spans.number(week) < start + size for start in mine)
    assert [s for s, _ in held] == sorted(s for s, _ in held)  # smallest first


def test_a_running_sum_less_an_earlier_one_is_the_weeks_between() -> None:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    timelines = [  # (days after the start it was proposed, [(status, days after that)])
        (0, [("under_review", 2), ("planned", 40), ("done", 400)]),
        (3, [("declined", 30)]),
        (8, [("under_review", 1), ("planned", 2)]),
        (9, []),
        (15, [("under_review", 100)]),
    ]
    early, late = Progress(), Progress()
    for proposed, changes in timelines:
        created = start + timedelta(days=proposed)
        way = journey(
            created,
            changes[-1][0] if changes else "new",
            [(status, created + timedelta(days=d)) for status, d in changes],
        )
        (early if proposed < 7 else late).count(way)

    def row(progress: Progress) -> dict[str, object]:
        return {"days": progress.days_json(), **{n: getattr(progress, n) for n in COUNTS}}

    running = Progress.of(row(early))
    running.add_row(row(late))
    running = Progress.of(row(running))  # as a running row is read back
    running.subtract_row(row(early))
    assert running.stages == late.stages and running.answered == late.answered
    assert running.days == late.days
    for measure in ("under_review", "first_update", "decision"):
        assert running.median_days(measure) == late.median_days(measure)
    assert rounded_days(400) == 364 and rounded_days(40) == 35 and rounded_days(27) == 27


async def test_a_custom_range_says_what_its_weeks_say(board: Personas) -> None:
    await a_year_of_answers(board)
    await insight_rollups.count_weeks()
    zone = (await get_organisation()).digest.zone
    this_monday = insight_rollups.monday_of(now(), zone)
    # Ranges ending with this week, starting on weeks that need spans of every size.
    for weeks in (3, 9, 21, 70):
        period = Period("custom", this_monday - timedelta(days=7 * (weeks - 1)), weeks)
        assert any(size > 1 for size, _ in spans.pieces(period.first, period.weeks)) or weeks < 4
        page = await insights.get_insights(
            board.ada.actor, "custom", None, period.first.isoformat(), this_monday.isoformat()
        )
        assert page.period == period
        rows = await Idea.raw(
            "SELECT * FROM weekly_funnel WHERE week >= {} AND week <= {}",
            period.labels[0], period.labels[-1],
        )  # fmt: skip
        summed: dict[int, Progress] = {}
        for row in rows:  # each department's, and every department's (0)
            add_to(summed, row["department"], row)
        total = summed.get(0, Progress())
        assert page.funnel.total.progress.stages == total.stages
        assert page.funnel.total.progress.days == total.days
        for shown in page.funnel.departments:
            if shown.id in summed and shown.id != insights.OTHER:
                assert shown.progress.stages == summed[shown.id].stages
                assert shown.progress.days == summed[shown.id].days
        expected = await expected_progress(set(page.scope.departments), period.bounds(UTC)[0])
        assert [c for _s, c in page.funnel.total.progress.stages] == expected["stages"]
        # Participation: each department's weeks summed by the database, as the rows say.
        counted = await Idea.raw(
            "SELECT department, SUM(participants) AS p, SUM(active_people) AS a,"
            " SUM(first_timers) AS f FROM weekly_participation"
            " WHERE week >= {} AND week <= {} GROUP BY department",
            period.labels[0], period.labels[-1],
        )  # fmt: skip
        sums = {row["department"]: (row["p"], row["a"], row["f"]) for row in counted}
        for shown_department in page.participation.departments:
            if shown_department.id in sums:
                figures = (shown_department.participant_weeks, shown_department.person_weeks,
                           shown_department.first_timers)  # fmt: skip
                assert figures == sums[shown_department.id]
        company = page.participation.company
        assert company.participant_weeks == sum(p for p, _a, _f in sums.values())
        assert [w.week for w in company.weeks] == period.labels
        owners = await Idea.raw(
            "SELECT * FROM weekly_owner WHERE department = 0 AND week >= {} AND week <= {}",
            period.labels[0], period.labels[-1],
        )  # fmt: skip
        times: dict[int, Progress] = {}
        for row in owners:
            add_to(times, row["owner"], row)
        shown = {o.id: o.times for o in page.funnel.owners if o.times.ideas}
        assert set(shown) == set(times)
        for owner, progress in times.items():
            assert (shown[owner].ideas, shown[owner].days) == (progress.ideas, progress.days)


async def test_a_hidden_idea_stops_counting_at_the_next_count(board: Personas) -> None:
    company = await a_year_of_answers(board)
    made = company["ideas"]
    assert isinstance(made, list)
    await insight_rollups.count_weeks()
    before = await insights.get_insights(board.ada.actor, "quarter", None)
    seller = (await Idea.select(Idea.author).where(Idea.id == made[3]).first())["author"]
    proposed = {c.account: c.proposed for c in before.contributors}
    # made[3]: in progress, proposed weeks ago, so only the moderator's action tells.
    await moderation.set_idea_hidden(board.ada.actor, made[3], hidden=True, reason="Off-topic")
    await insight_rollups.count_weeks()
    after = await insights.get_insights(board.ada.actor, "quarter", None)
    start = after.period.bounds(UTC)[0]
    expected = await expected_progress(set(after.scope.departments), start)
    assert [c for _s, c in after.funnel.total.progress.stages] == expected["stages"]
    assert after.funnel.total.progress.ideas == before.funnel.total.progress.ideas - 1
    assert after.funnel.total.progress.started == before.funnel.total.progress.started - 1
    assert after.flow.outside.ideas == before.flow.outside.ideas - 1
    assert "Seller 1" in {o.name for o in before.funnel.owners}
    assert "Seller 1" not in {o.name for o in after.funnel.owners}  # it was theirs alone
    listed = {c.account: c.proposed for c in after.contributors}
    assert listed.get(seller, 0) == proposed.get(seller, 0) - 1
    assert {c.name: (c.proposed, c.shipped) for c in after.contributors}.items() <= (
        (await expected_contributors()).items()
    )
    # Restored, it counts again.
    await moderation.set_idea_hidden(board.ada.actor, made[3], hidden=False)
    await insight_rollups.count_weeks()
    again = await insights.get_insights(board.ada.actor, "quarter", None)
    assert again.funnel.total.progress.stages == before.funnel.total.progress.stages
    assert again.flow.outside.ideas == before.flow.outside.ideas
