"""/insights: each figure computed again here, straight from the rows, and compared with
the page and its CSV; small groups folded so nobody is singled out; who may look.
Both databases."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from conftest import Client, Personas, page_text, session_cookie_for
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.services import comments, departments, ideas, insight_rollups, insights, users
from ideaboard.services.errors import Forbidden
from ideaboard.tables import Comment, Department, Idea, User, Vote, WeeklyParticipation

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
    from ideaboard.services import votes

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


async def test_participation_matches_a_count_from_the_rows(board: Personas) -> None:
    company = await a_company(board)
    await insight_rollups.count_weeks()
    expected = await expected_this_week()
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
        assert row["active_people"] == headcount[department]
    page = await insights.get_insights(board.ada.actor, "4w", None)
    shown = {d.name: d for d in page.participation.departments}
    sales = shown["Sales"].weeks[-1]
    assert (sales.people, sales.participants, sales.proposers) == (TEAM, TEAM, TEAM)
    support = shown["Support"].weeks[-1]
    assert (support.voters, support.proposers, support.participants) == (TEAM, 2, TEAM)
    # Legal has two people: never by name, folded with the others too small.
    assert "Legal" not in shown and "Other departments" in shown
    assert company["legal"] not in {d.id for d in page.participation.departments}
    everyone = page.participation.company.weeks[-1]
    assert everyone.people == await User.count().where(User.active.eq(True))
    assert everyone.participants == len(
        set().union(*[set().union(*d.values()) for d in expected.values()])
    )


async def test_the_flow_of_ideas_and_how_they_fare(board: Personas) -> None:
    company = await a_company(board)
    await Idea.update({Idea.status: "planned"}).where(Idea.title == "Support idea 1")
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
    assert (await client.get("/insights/funnel.csv")).status_code == 404
    page = await client.get("/insights?range=4w")
    assert page.status_code == 200 and "Who takes part" in page.text
