"""/insights: each figure computed again here, straight from the rows, and compared with
the page and its CSV; small groups folded so nobody is singled out; who may look.
Both databases."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from conftest import Client, Personas, page_text, session_cookie_for
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.services import (
    comments,
    departments,
    ideas,
    insight_rollups,
    insights,
    merges,
    routing,
    status_updates,
    users,
    votes,
)
from ideaboard.services.errors import Forbidden
from ideaboard.services.organisation import get_organisation
from ideaboard.services.progress import Progress
from ideaboard.tables import (
    Comment,
    Department,
    Idea,
    StatusChange,
    User,
    Vote,
    WeeklyParticipation,
)

TEAM = 6  # people in each big department: above the smallest group


async def people(department: int, count: int, prefix: str) -> list[Actor]:
    made = []
    async with write_transaction():
        for n in range(count):
            person = await users.insert_user(
                name=f"{prefix} {n}", email=f"{prefix.lower()}{n}@example.com",
                password_hash="x", department_id=department, role=Role.MEMBER,
            )  # fmt: skip
            made.append(Actor(person, Role.MEMBER, department))
    return made


async def propose(author: Actor, department: int, title: str, *, anonymous: bool = False) -> int:
    return await ideas.create_idea(
        author,
        ideas.IdeaInput(title=title, body="Body", department_id=str(department),
                        anonymous=anonymous),
    )  # fmt: skip


async def a_company(board: Personas) -> dict[str, object]:
    """Sales and Support of six people each, a Legal of two; ideas across them."""
    sales = (await departments.create_department("Sales")).id
    support = (await departments.create_department("Support")).id
    legal = (await departments.create_department("Legal")).id
    team = {
        "sales": await people(sales, TEAM, "Seller"),
        "support": await people(support, TEAM, "Helper"),
        "legal": await people(legal, 2, "Lawyer"),
    }
    made = []
    for n, author in enumerate(team["sales"]):  # six sellers, each an idea for Support
        made.append(await propose(author, support, f"Support idea {n}", anonymous=n == 0))
    for author in team["support"][:2]:  # two helpers: too few for a cell of their own
        made.append(await propose(author, sales, "For sales"))
    made.append(await propose(team["legal"][0], legal, "Legal's own"))
    for voter in team["support"]:
        await ideas_vote(voter, made[0])
    await comments.add_comment(team["legal"][1], made[1], comments.CommentInput(body="Yes"))
    return {"sales": sales, "support": support, "legal": legal, "team": team, "ideas": made}


async def ideas_vote(voter: Actor, idea: int) -> None:
    await votes.set_vote(voter, idea, voted=True)


async def expected_this_week() -> dict[int, dict[str, set[int]]]:
    """Who did what this week, per department: counted here from the rows."""
    monday = datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    department = {
        row["id"]: row["department"] for row in await User.select(User.id, User.department)
    }
    did: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for row in await Idea.select(Idea.author, Idea.created_at, Idea.approval, Idea.hidden):
        if row["created_at"] >= start and row["approval"] == "approved" and not row["hidden"]:
            did[department[row["author"]]]["proposed"].add(row["author"])
    for row in await Vote.select(Vote.voter, Vote.created_at):
        if row["created_at"] >= start:
            did[department[row["voter"]]]["voted"].add(row["voter"])
    for row in await Comment.select(Comment.author, Comment.created_at):
        if row["created_at"] >= start:
            did[department[row["author"]]]["commented"].add(row["author"])
    return did


async def earlier_people() -> set[int]:
    """Everyone who took part before this week, from the rows."""
    start = datetime.now(UTC) - timedelta(days=datetime.now(UTC).weekday())
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    ideas = await Idea.select(Idea.author, Idea.created_at, Idea.approval, Idea.hidden)
    votes = await Vote.select(Vote.voter, Vote.created_at)
    comments_ = await Comment.select(Comment.author, Comment.created_at)
    return (
        {r["author"] for r in ideas if r["created_at"] < start and r["approval"] == "approved"
         and not r["hidden"]}
        | {r["voter"] for r in votes if r["created_at"] < start}
        | {r["author"] for r in comments_ if r["created_at"] < start}
    )  # fmt: skip


async def test_participation_matches_a_count_from_the_rows(board: Personas) -> None:
    company = await a_company(board)
    # A seller who already voted last week takes part again: not for the first time.
    team = company["team"]
    assert isinstance(team, dict)
    old_hand = team["sales"][3]
    made = company["ideas"]
    assert isinstance(made, list)
    await votes.set_vote(old_hand, made[-1], voted=True)
    await Vote.update({Vote.created_at: datetime.now(UTC) - timedelta(days=8)}).where(
        Vote.voter == old_hand.id
    )  # fmt: skip
    await insight_rollups.count_weeks()
    expected = await expected_this_week()
    before = await earlier_people()
    assert old_hand.id in before
    rows = {r["department"]: r for r in await WeeklyParticipation.select()
            if r["week_start"] > datetime.now(UTC) - timedelta(days=7)}  # fmt: skip
    headcount = {d: await User.count().where(User.department == d, User.active.eq(True))
                 for d in rows}  # fmt: skip
    for department, row in rows.items():
        did = expected.get(department, {})
        assert row["proposers"] == len(did.get("proposed", set())), department
        assert row["voters"] == len(did.get("voted", set())), department
        assert row["commenters"] == len(did.get("commented", set())), department
        anyone = set().union(*did.values()) if did else set()
        assert row["participants"] == len(anyone), department
        assert row["first_timers"] == len(anyone - before), department
        assert row["active_people"] == headcount[department]
    page = await insights.get_insights(board.ada.actor, "4w", None)
    shown = {d.name: d for d in page.participation.departments}
    sales = shown["Sales"].last
    assert (sales.people, sales.participants, sales.proposers) == (TEAM, TEAM, TEAM)
    assert sales.first_timers == TEAM - 1  # all but the old hand
    support = shown["Support"].last
    assert (support.voters, support.proposers, support.participants) == (TEAM, 2, TEAM)
    # Legal has two people: never by name, folded with the others too small.
    assert "Legal" not in shown and "Other departments" in shown
    assert company["legal"] not in {d.id for d in page.participation.departments}
    everyone = page.participation.company.last
    assert everyone.people == await User.count().where(User.active.eq(True))
    assert everyone.participants == len(
        set().union(*[set().union(*d.values()) for d in expected.values()])
    )


async def test_the_flow_of_ideas_and_how_they_fare(board: Personas) -> None:
    company = await a_company(board)
    await Idea.update({Idea.status: "planned"}).where(Idea.title == "Support idea 1")
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "4w", None)
    flow = page.flow
    everything = await Idea.select(Idea.author_department, Idea.department, Idea.vote_count,
                                   Idea.status)  # fmt: skip
    outside = [r for r in everything if r["author_department"] != r["department"]]
    inside = [r for r in everything if r["author_department"] == r["department"]]
    assert (flow.outside.ideas, flow.inside.ideas) == (len(outside), len(inside))
    assert flow.outside.votes == sum(r["vote_count"] for r in outside)
    assert flow.outside.planned == sum(r["status"] == "planned" for r in outside)
    assert flow.outside_share == pytest.approx(len(outside) / len(everything))
    sales, support = company["sales"], company["support"]
    cell = flow.cell(sales, support)  # six different sellers: shown
    assert cell is not None and cell.ideas == TEAM
    # Two helpers' ideas for Sales: too few people, folded and (still too few) not shown.
    assert flow.cell(support, sales) is None and flow.cell(support, insights.OTHER) is None
    assert all(len(t.authors) >= insights.SMALLEST_GROUP for t in flow.cells.values())


async def test_managers_see_their_departments_and_the_company(
    client: Client, board: Personas
) -> None:
    company = await a_company(board)
    manager = company["team"]["sales"][1]
    await departments.add_manager(board.ada.actor, company["sales"], "seller1@example.com")
    await insight_rollups.count_weeks()
    page = await insights.get_insights(manager, "quarter", None)
    assert [d.name for d in page.participation.departments] == ["Sales"]
    assert page.participation.company.people == await User.count().where(User.active.eq(True))
    with pytest.raises(Forbidden):
        await insights.get_insights(board.mia.actor, "quarter", None)
    await client.use_session(await session_cookie_for(board.mia.id))
    assert (await client.get("/insights")).status_code == 403
    assert (await client.get("/insights/participation.csv")).status_code == 403
    client.http.cookies.clear()  # Mia's renewed cookie would win over a set one
    await client.use_session(await session_cookie_for(manager.id))
    answer = await client.get("/insights")
    assert answer.status_code == 200, page_text(answer.text)[:600]
    assert "Sales" in page_text(answer.text)
    assert "Support" not in page_text(answer.text).split("Ideas across departments")[0]


async def test_the_csv_holds_the_pages_numbers_safely(client: Client, board: Personas) -> None:
    await a_company(board)
    await Department.update({Department.name: "=HYPERLINK(1)"}).where(Department.name == "Sales")
    await insight_rollups.count_weeks()
    await client.use_session(await session_cookie_for(board.ada.id))
    answer = await client.get("/insights/participation.csv?range=4w")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    named = {row["department"] for row in rows}
    assert "'=HYPERLINK(1)" in named and "=HYPERLINK(1)" not in named
    last = [r for r in rows if r["department"] == "'=HYPERLINK(1)"][-1]
    assert (last["active_people"], last["participants"]) == (str(TEAM), str(TEAM))
    flow = await client.get("/insights/flow.csv?range=4w")
    assert flow.status_code == 200 and "from_department" in flow.text
    assert (await client.get("/insights/secrets.csv")).status_code == 404
    page = await client.get("/insights?range=4w")
    assert page.status_code == 200 and "Who takes part" in page.text


# --- the funnel and who answers -------------------------------------------------------

DAY = timedelta(days=1)
RANK = {"new": 0, "under_review": 1, "planned": 2, "in_progress": 3, "done": 4}


async def answer(admin: Actor, idea: int, *steps: tuple[str, int]) -> None:
    """Status updates, then dated `days` after the idea was proposed (each step's)."""
    for status, _days in steps:
        await status_updates.update_status(
            admin, idea, status_updates.StatusUpdateInput(status=status, message="Update")
        )
    proposed = (await Idea.select(Idea.created_at).where(Idea.id == idea).first())["created_at"]
    changes = await StatusChange.select(StatusChange.id).where(StatusChange.idea == idea).order_by(
        StatusChange.id
    )  # fmt: skip
    for change, (_status, days) in zip(changes, steps, strict=True):
        moment = proposed + timedelta(days=days, hours=3)
        await StatusChange.update({StatusChange.created_at: moment}).where(
            StatusChange.id == change["id"]
        )  # fmt: skip


def as_kept(days: int) -> int:
    """Whole days as /insights keeps them, by the rule its docs give: to the day below
    28, then down to the week below 91, to 28 days below 364, and to 91 days."""
    for below, step in ((28, 1), (91, 7), (364, 28)):
        if days < below:
            return days - days % step
    return days - days % 91


async def expected_progress(departments: set[int], start: datetime) -> dict[str, object]:
    """The funnel and response times of the ideas for these departments proposed since
    `start`, worked out here from the ideas and their timelines."""
    rows = await Idea.select(Idea.id, Idea.created_at, Idea.status, Idea.department,
                             Idea.approval, Idea.hidden)  # fmt: skip
    ideas = [r for r in rows if r["department"] in departments and r["created_at"] >= start
             and r["approval"] == "approved" and not r["hidden"]]  # fmt: skip
    changes: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for row in await StatusChange.select().order_by(StatusChange.created_at, StatusChange.id):
        changes[row["idea"]].append((row["to_status"], row["created_at"]))
    reached: list[int] = []
    spent: dict[str, list[int]] = defaultdict(list)
    first_update, decision, within_week = [], [], 0
    for idea in ideas:
        timeline = [("new", idea["created_at"]), *changes[idea["id"]]]
        reached.append(max(RANK.get(status, 0) for status, _ in timeline))
        totals: dict[str, float] = defaultdict(float)
        for (status, begun), (_next, ended) in pairwise(timeline):
            totals[status] += (ended - begun).total_seconds()
        for status, seconds in totals.items():
            if status in ("new", "under_review", "planned", "in_progress"):
                spent[status].append(as_kept(int(seconds // 86400)))
        if changes[idea["id"]]:
            waited = changes[idea["id"]][0][1] - idea["created_at"]
            first_update.append(as_kept(waited.days))
            within_week += waited < timedelta(days=7)
        decided = [m for s, m in changes[idea["id"]] if s not in ("new", "under_review")]
        if decided:
            decision.append(as_kept((decided[0] - idea["created_at"]).days))
    return {
        "stages": [sum(r >= rank for r in reached) for rank in range(5)],
        "declined": sum(i["status"] == "declined" for i in ideas),
        "duplicate": sum(i["status"] == "duplicate" for i in ideas),
        "spent": {s: statistics.median(v) for s, v in spent.items()},
        "first_update": statistics.median(first_update) if first_update else None,
        "decision": statistics.median(decision) if decision else None,
        "answered": len(first_update),
        "within_week": within_week,
    }


def assert_matches(total: Progress, expected: dict[str, object]) -> None:
    """The page's funnel and response times are those worked out from the rows."""
    assert [count for _stage, count in total.stages] == expected["stages"]
    assert (total.declined, total.duplicate) == (expected["declined"], expected["duplicate"])
    spent = expected["spent"]
    assert isinstance(spent, dict)
    for stage in ("new", "under_review", "planned", "in_progress"):
        assert total.median_days(stage) == spent.get(stage), stage
    assert total.median_days("first_update") == expected["first_update"]
    assert total.median_days("decision") == expected["decision"]
    assert (total.answered, total.answered_in_week) == (
        expected["answered"], expected["within_week"]
    )  # fmt: skip


async def a_year_of_answers(board: Personas) -> dict[str, object]:
    company = await a_company(board)
    admin = board.ada.actor
    made = company["ideas"]
    assert isinstance(made, list)
    today = datetime.now(UTC)
    # Proposed 10 to 40 days ago, so the ideas spread over weeks of the quarter.
    for n, idea in enumerate(made):
        await Idea.update({Idea.created_at: today - timedelta(days=10 + 3 * n)}).where(
            Idea.id == idea
        )  # fmt: skip
    await answer(admin, made[0], ("under_review", 2), ("planned", 5), ("done", 9))
    await answer(admin, made[1], ("under_review", 1), ("declined", 4))
    await answer(admin, made[2], ("planned", 8))
    await answer(admin, made[3], ("under_review", 3), ("planned", 3), ("in_progress", 6))
    await answer(admin, made[4], ("under_review", 12))
    await merges.merge_ideas(admin, made[5], f"#{made[2]}")
    await routing.save_triage(admin, made[3], routing.TriageInput(owner="Seller 1"))
    await routing.save_triage(admin, made[4], routing.TriageInput(owner="Helper 2"))
    await Idea.update({Idea.last_update_at: today - 40 * DAY}).where(Idea.id == made[3])
    await Idea.update({Idea.needs_owner_since: today - 2 * DAY}).where(Idea.id == made[6])
    return company


async def test_the_funnel_and_response_times_match_the_rows(board: Personas) -> None:
    company = await a_year_of_answers(board)
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "quarter", None)
    start, _end = page.period.bounds(UTC)
    everyone = set(page.scope.departments)
    expected = await expected_progress(everyone, start)
    total = page.funnel.total.progress
    assert_matches(total, expected)
    assert total.conversion("planned") == total.planned / total.reviewed
    # The quarter was read from its sums counted ahead; the same weeks asked for as
    # dates are read week by week, and say the same.
    weekly = await insights.get_insights(board.ada.actor, "custom", None,
                                         page.period.first.isoformat(),
                                         page.period.last_day.isoformat())  # fmt: skip
    assert weekly.period.labels == page.period.labels
    pairs = zip([weekly.funnel.total, *weekly.funnel.departments],
                [page.funnel.total, *page.funnel.departments], strict=True)  # fmt: skip
    for ours, theirs in pairs:
        assert ours.progress.stages == theirs.progress.stages
        for measure in ("new", "under_review", "planned", "first_update", "decision"):
            assert ours.progress.median_days(measure) == theirs.progress.median_days(measure)
    by_id = {o.id: o for o in page.funnel.owners}
    assert {o.id for o in weekly.funnel.owners} == set(by_id)
    for owner in weekly.funnel.owners:
        for measure in ("first_update", "decision"):
            ours_, theirs_ = owner.times, by_id[owner.id].times
            assert ours_.median_days(measure) == theirs_.median_days(measure)
    # Support (six people) has its own row, and its numbers are its ideas' alone.
    support = company["support"]
    assert isinstance(support, int)
    shown = {d.id: d for d in page.funnel.departments}
    mine = await expected_progress({support}, start)
    assert [c for _s, c in shown[support].progress.stages] == mine["stages"]
    # Today: the idea past its threshold waits; Seller 1 has been silent 40 days.
    assert page.funnel.total.waiting == 1
    owners = {o.name: o for o in page.funnel.owners}
    assert owners["Seller 1"].silent and owners["Seller 1"].silent_ideas == 1
    assert not owners["Helper 2"].silent
    assert [o.name for o in page.funnel.silent_owners] == ["Seller 1"]
    # How soon each owner's ideas of the quarter were answered, from the rows.
    owned = await Idea.select(Idea.id, Idea.owner, Idea.created_at).where(
        Idea.owner.is_not_null()
    )  # fmt: skip
    names = {r["id"]: r["name"] for r in await User.select(User.id, User.name)}
    for row in owned:
        changes = await StatusChange.select().where(StatusChange.idea == row["id"]).order_by(
            StatusChange.created_at, StatusChange.id
        )  # fmt: skip
        first = as_kept((changes[0]["created_at"] - row["created_at"]).days) if changes else None
        decided = [c for c in changes if c["to_status"] not in ("new", "under_review")]
        decision = as_kept((decided[0]["created_at"] - row["created_at"]).days) if decided else None
        load = owners[names[row["owner"]]]
        assert load.times.ideas == 1
        assert load.times.median_days("first_update") == first
        assert load.times.median_days("decision") == decision


async def test_a_week_is_counted_again_when_its_ideas_move_on(board: Personas) -> None:
    company = await a_company(board)
    made = company["ideas"]
    assert isinstance(made, list)
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "4w", None)
    assert page.funnel.total.progress.done == 0
    await status_updates.update_status(
        board.ada.actor, made[0], status_updates.StatusUpdateInput(status="done", message="Yes")
    )
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "4w", None)
    assert page.funnel.total.progress.done == 1
    assert page.funnel.total.progress.median_days("decision") == 0


async def test_dates_of_ones_choice(client: Client, board: Personas) -> None:
    await a_year_of_answers(board)
    await insight_rollups.count_weeks()
    today = datetime.now(UTC).date()
    start, end = (today - 60 * DAY).isoformat(), (today - 20 * DAY).isoformat()
    page = await insights.get_insights(board.ada.actor, "custom", None, start, end)
    assert page.period.key == "custom" and not page.period.error
    assert page.period.first <= today - 60 * DAY < page.period.first + 7 * DAY
    assert page.period.last_day >= today - 20 * DAY > page.period.last_day - 7 * DAY
    expected = await expected_progress(set(page.scope.departments), page.period.bounds(UTC)[0])
    assert page.funnel.total.progress.ideas < expected["stages"][0]  # the last weeks left out
    await client.use_session(await session_cookie_for(board.ada.id))
    for asked, message in [
        (("2026-13-01", "2026-12-01"), "Give both dates"),
        ((end, start), "The first date comes after the last"),
        (("2099-01-01", "2099-02-01"), "Those dates have not come yet"),
    ]:
        answer = await client.get(f"/insights?range=custom&start={asked[0]}&end={asked[1]}")
        assert answer.status_code == 200
        text = page_text(answer.text)
        assert message in text and "Showing the last quarter instead" in text
        assert f'value="{asked[0]}"' in answer.text  # what they typed is kept
    csv_answer = await client.get(f"/insights/funnel.csv?range=custom&start={start}&end={end}")
    assert csv_answer.status_code == 200
    assert page.period.first.isoformat() in csv_answer.headers["content-disposition"]


async def test_every_section_downloads_with_the_pages_numbers(
    client: Client, board: Personas
) -> None:
    await a_year_of_answers(board)
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "quarter", None)
    await client.use_session(await session_cookie_for(board.ada.id))
    funnel = await client.get("/insights/funnel.csv?range=quarter")
    rows = list(csv.DictReader(io.StringIO(funnel.text.removeprefix("\ufeff"))))
    everything = [r for r in rows if r["department"] == "all"]
    assert [int(r["ideas_reached"]) for r in everything[:5]] == [
        c for _s, c in page.funnel.total.progress.stages
    ]
    response = await client.get("/insights/response.csv?range=quarter")
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    owners = {r["name"]: r for r in rows if r["row"] == "owner"}
    assert owners["Seller 1"]["silent_30_days"] == "1"
    (all_row,) = [r for r in rows if r["row"] == "department" and r["name"] == "all"]
    assert all_row["waiting_for_owner_now"] == "1"
    html = await client.get("/insights?range=quarter")
    assert html.status_code == 200
    text = page_text(html.text)
    assert "How far ideas get" in text and "Who answers" in text and "Seller 1" in text


# --- contributors ----------------------------------------------------------------------


async def expected_contributors() -> dict[str, tuple[int, int]]:
    """Name → (proposed, shipped), from the ideas: public, under the author's name, not
    merged into another."""
    names = {row["id"]: row["name"] for row in await User.select(User.id, User.name)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in await Idea.select():
        if (row["approval"] != "approved" or row["hidden"] or row["anonymous"]
                or row["merged_into"] is not None):  # fmt: skip
            continue
        counts[names[row["author"]]][0] += 1
        counts[names[row["author"]]][1] += row["status"] == "done"
    return {name: (p, s) for name, (p, s) in counts.items()}


async def test_contributors_match_the_rows_and_never_count_anonymous_ideas(
    client: Client, board: Personas
) -> None:
    company = await a_year_of_answers(board)
    team = company["team"]
    assert isinstance(team, dict)
    seller = team["sales"][2]
    for n in range(3):  # a prolific seller, two of whose ideas ship
        idea = await propose(seller, company["support"], f"Seller's idea {n}")  # type: ignore[arg-type]
        if n < 2:
            await status_updates.update_status(
                board.ada.actor,
                idea,
                status_updates.StatusUpdateInput(status="done", message="Shipped"),
            )
    await insight_rollups.count_weeks()
    page = await insights.get_insights(board.ada.actor, "quarter", None)
    listed = {c.name: (c.proposed, c.shipped) for c in page.contributors}
    assert listed == await expected_contributors()
    assert page.contributors[0].name == "Seller 2"  # the most shipped first
    assert listed["Seller 2"] == (4, 2)
    assert "Seller 0" not in listed  # their only idea is anonymous
    # The nightly count says the same as the one made as news came in.
    from ideaboard.services import contributors

    await contributors.count_everyone()
    again = await insights.get_insights(board.ada.actor, "quarter", None)
    assert {c.name: (c.proposed, c.shipped) for c in again.contributors} == listed

    # Seller 2 sees the recognition, and leaves the list.
    await client.use_session(await session_cookie_for(seller.id))
    account = page_text((await client.get("/account")).text)
    assert "2 ideas shipped" in account and "4 ideas proposed" in account
    form = {"name": "Seller 2", "department_id": str(company["sales"]), "digest_enabled": "on"}
    saved = await client.post("/account", form)
    assert saved.status_code in (200, 303)
    page = await insights.get_insights(board.ada.actor, "quarter", None)
    assert "Seller 2" not in {c.name for c in page.contributors}
    assert "2 ideas shipped" in page_text((await client.get("/account")).text)


async def test_a_manager_sees_the_contributors_of_their_departments(board: Personas) -> None:
    company = await a_year_of_answers(board)
    await departments.add_manager(board.ada.actor, company["support"], "helper1@example.com")  # type: ignore[arg-type]
    await insight_rollups.count_weeks()
    team = company["team"]
    assert isinstance(team, dict)
    page = await insights.get_insights(team["support"][1], "quarter", None)
    assert page.contributors and {c.department for c in page.contributors} == {"Support"}


# --- the demo company -------------------------------------------------------------------


async def test_the_demo_companys_insights_match_its_rows(http: object, database_url: str) -> None:
    """`ideaboard demo` counts its insights as it loads; a year of them, against the rows."""
    loaded = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "ideaboard.cli", "demo"],
        env={**os.environ, "IDEABOARD_DATABASE_URL": database_url},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    admin = await User.select(User.id, User.department).where(
        User.email == "admin@example.com"
    ).first()  # fmt: skip
    actor = Actor(admin["id"], Role.ADMIN, admin["department"])
    page = await insights.get_insights(actor, "year", None)
    zone = (await get_organisation()).digest.zone
    start, _end = page.period.bounds(zone)
    expected = await expected_progress(set(page.scope.departments), start)
    total = page.funnel.total.progress
    assert total.ideas > 100 and total.done > 0  # the demo's ideas, walked through triage
    assert_matches(total, expected)
    rows = await Idea.select(Idea.author_department, Idea.department, Idea.created_at,
                             Idea.approval, Idea.hidden, Idea.merged_into)  # fmt: skip
    public = [r for r in rows if r["created_at"] >= start and r["approval"] == "approved"
              and not r["hidden"] and r["merged_into"] is None]  # fmt: skip
    outside = sum(r["author_department"] != r["department"] for r in public)
    assert (page.flow.outside.ideas, page.flow.inside.ideas) == (outside, len(public) - outside)
    listed = {c.name: (c.proposed, c.shipped) for c in page.contributors}
    everyone = await expected_contributors()
    top = sorted(everyone.items(), key=lambda item: (-item[1][1], -item[1][0]))
    assert len(listed) == min(20, len(everyone))
    assert all(everyone[name] == counts for name, counts in listed.items())
    assert page.contributors[0].shipped == top[0][1][1]


async def test_an_idea_page_names_its_authors_shipped_ideas(
    client: Client, board: Personas
) -> None:
    company = await a_year_of_answers(board)
    team = company["team"]
    assert isinstance(team, dict)
    seller = team["sales"][4]
    shipped = await propose(seller, company["support"], "Shipped one")  # type: ignore[arg-type]
    await status_updates.update_status(
        board.ada.actor, shipped, status_updates.StatusUpdateInput("done", "Shipped")
    )
    hidden_name = await propose(seller, company["support"], "Quietly", anonymous=True)  # type: ignore[arg-type]
    await insight_rollups.count_weeks()
    await client.use_session(await session_cookie_for(board.mia.id))
    page = page_text((await client.get(f"/ideas/{shipped}")).text)
    assert "Proposed by Seller 4" in page and "1 idea shipped" in page
    # An anonymous idea says nothing of its author, not even their record.
    assert "idea shipped" not in page_text((await client.get(f"/ideas/{hidden_name}")).text)
    # Leaving the list takes the recognition off the idea pages too.
    await User.update({User.listed_as_contributor: False}).where(User.id == seller.id)
    assert "idea shipped" not in page_text((await client.get(f"/ideas/{shipped}")).text)
