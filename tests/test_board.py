"""The board: sorts, filters, search and keyset pagination."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import timedelta

import asyncpg
import pytest

from conftest import Client, Personas, make_idea, page_text
from ideaboard.domain import hot_score
from ideaboard.services import board as board_service
from ideaboard.services import ranking
from ideaboard.services.board import PAGE_SIZE
from ideaboard.services.clock import now
from ideaboard.tables import Idea, Vote


def titles(html: str) -> list[str]:
    """Idea titles on a board page, without search highlighting."""
    found = re.findall(r'<h2><a href="/ideas/\d+">(.*?)</a></h2>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


async def test_board_lists_ideas_with_path_counts_and_vote_buttons(
    client: Client, board: Personas
) -> None:
    await make_idea(board.mia, board.operations, title="Dock calendar")
    await client.login("otto@example.com")
    page = await client.get("/")
    assert titles(page.text) == ["Dock calendar"]
    assert "from Customer Service" in page.text
    assert "0 comments" in page.text
    assert "0 votes" in page_text(page.text)
    for control in ["Hot", "Top", "New", "Trending", 'aria-label="Search ideas"']:
        assert control in page.text
    assert '<label for="filter-department">Department</label>' in page.text
    assert '<label for="filter-status">Status</label>' in page.text


async def test_sorts_order_the_board(client: Client, board: Personas) -> None:
    old_popular = await make_idea(board.mia, board.it, title="Old popular")
    fresh = await make_idea(board.mia, board.it, title="Fresh")
    trending = await make_idea(board.mia, board.it, title="Trending now")
    long_ago = now() - timedelta(days=20)
    # Made 20 days ago, as its score says (a vote moves only the score's votes part).
    await Idea.update({Idea.created_at: long_ago, Idea.hot_score: hot_score(0, long_ago)}).where(
        Idea.id == old_popular
    )
    for voter in (board.ada, board.mo, board.otto):
        await client.login(voter.email)
        await client.post(f"/ideas/{old_popular}/vote", {"voted": "1"})
        await client.logout()
    await Vote.update({Vote.created_at: long_ago}).where(Vote.idea == old_popular)
    await ranking.refresh_trending()  # what the background job does every few minutes
    for voter in (board.ada, board.mo):
        await client.login(voter.email)
        await client.post(f"/ideas/{trending}/vote", {"voted": "1"})
        await client.logout()
    await ranking.refresh_trending()  # within a minute of the votes

    await client.login("mia@example.com")
    assert titles((await client.get("/?sort=top")).text) == ["Old popular", "Trending now", "Fresh"]
    assert titles((await client.get("/?sort=new")).text) == ["Trending now", "Fresh", "Old popular"]
    assert titles((await client.get("/?sort=trending")).text)[0] == "Trending now"
    hot = titles((await client.get("/")).text)
    assert hot[0] == "Trending now" and hot[-1] == "Old popular"
    assert fresh  # listed in every sort above


async def test_filters_by_department_status_and_scope(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.operations, title="For ops from service")
    await make_idea(board.otto, board.operations, title="For ops from ops")
    await make_idea(board.otto, board.it, title="For IT from ops")
    done = await make_idea(board.mia, board.it, title="Done already")
    await Idea.update({Idea.status: "done"}).where(Idea.id == done)

    await client.login("otto@example.com")  # works in Operations
    by_department = titles((await client.get(f"/?department={board.it}")).text)
    assert by_department == ["For IT from ops"]
    assert titles((await client.get("/?status=done")).text) == ["Done already"]
    assert "Done already" in titles((await client.get("/?status=all")).text)
    assert "Done already" not in titles((await client.get("/")).text)
    mine = titles((await client.get("/?scope=for_mine")).text)
    assert sorted(mine) == ["For ops from ops", "For ops from service"]
    outside = titles((await client.get("/?scope=from_outside&status=all")).text)
    assert sorted(outside) == ["Done already", "For ops from service"]


async def test_search_matches_title_and_description(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.it, title="Dock calendar", body="Slots for trucks")
    await make_idea(board.mia, board.it, title="Canteen menu", body="More 100% vegan food")
    await client.login("otto@example.com")
    assert titles((await client.get("/?q=DOCK")).text) == ["Dock calendar"]
    assert titles((await client.get("/?q=trucks")).text) == ["Dock calendar"]
    assert titles((await client.get("/?q=calendars")).text) == ["Dock calendar"]  # stemmed
    assert titles((await client.get("/?q=calen")).text) == ["Dock calendar"]  # as you type
    assert titles((await client.get("/?q=100%25")).text) == ["Canteen menu"]
    assert titles((await client.get("/?q=dock+vegan")).text) == []  # every word must match
    empty = await client.get("/?q=nothing+like+this")
    assert "No ideas match" in empty.text


async def test_search_ranks_title_matches_first_and_highlights_them(
    client: Client, board: Personas
) -> None:
    await make_idea(board.mia, board.it, title="Better coffee", body="The vegan milk runs out.")
    await make_idea(board.mia, board.it, title="Vegan options in the canteen", body="Please.")
    await client.login("otto@example.com")
    page = await client.get("/?q=vegan")
    assert titles(page.text) == ["Vegan options in the canteen", "Better coffee"]
    assert "<mark>Vegan</mark> options in the canteen" in page.text
    assert "The <mark>vegan</mark> milk runs out." in page.text
    assert "Best matches for “vegan” first." in page.text


async def test_search_keeps_the_filters(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.it, title="Vegan canteen for IT")
    await make_idea(board.mia, board.operations, title="Vegan canteen for Ops")
    await client.login("otto@example.com")
    page = await client.get(f"/?q=vegan&department={board.operations}")
    assert titles(page.text) == ["Vegan canteen for Ops"]


@pytest.mark.parametrize(
    "hostile",
    ['"', "NEAR(dock calendar)", "*", "-dock", "dock OR canteen", "'; DROP TABLE idea; --",
     "dock:*", "!dock & (", "%%%", "<script>alert(1)</script>", "a" * 200],
)  # fmt: skip
async def test_search_syntax_from_users_is_never_an_error(
    client: Client, board: Personas, hostile: str
) -> None:
    await make_idea(board.mia, board.it, title="Dock calendar")
    await client.login("otto@example.com")
    response = await client.get("/", params={"q": hostile})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.text
    assert await Idea.count() == 1


async def test_search_results_page_through_without_repeats(client: Client, board: Personas) -> None:
    count = PAGE_SIZE + 5
    for n in range(count):
        await make_idea(
            board.mia, board.it, title=f"Vegan idea {n}", body="Why " + "vegan " * (n % 4)
        )
    await client.login("otto@example.com")
    seen = [title for page in await pages_of(client, "/?q=vegan") for title in page]
    assert sorted(seen) == sorted(f"Vegan idea {n}" for n in range(count))


async def pages_of(client: Client, url: str | None) -> list[list[str]]:
    """The titles on each page of a board view, following "Show more" to the end."""
    pages = []
    while url:
        page = await client.get(url)
        pages.append(titles(page.text))
        match = re.search(r'<a href="(/\?[^"]+)" data-hx-get', page.text)
        url = match.group(1).replace("&amp;", "&") if match else None
    return pages


async def test_a_broad_search_pages_alike_however_it_is_ranked(
    client: Client, board: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a search of the whole board ranks its best matches in the full-text
    index alone and then drops the ones the view leaves out, or, when too few are left,
    ranks with the filters applied. The pages are the same either way."""
    count = 70  # two pages of open ideas among them
    for n in range(count):
        body = "Why " + "vegan " * (n % 7)  # relevance varies, with ties
        idea = await make_idea(board.mia, board.it, title=f"Vegan idea {n}", body=body)
        if n % 3 == 0:
            await Idea.update({Idea.status: "done"}).where(Idea.id == idea)
        if n % 5 == 0:
            await Idea.update({Idea.hidden: True}).where(Idea.id == idea)
    await client.login("otto@example.com")
    for status, shown in [("open", lambda n: n % 3 and n % 5), ("all", lambda n: n % 5)]:
        url = f"/?q=vegan&status={status}"
        with monkeypatch.context() as patch:
            patch.setattr(board_service, "_is_broad", lambda query: False)
            filtered = await pages_of(client, url)
        assert sorted(t for page in filtered for t in page) == sorted(
            f"Vegan idea {n}" for n in range(count) if shown(n)
        )
        assert len(filtered) == 2
        for candidates in (3, 45, 1000):  # falls back on every page, on some, on none
            monkeypatch.setattr(board_service, "CANDIDATES", candidates)
            assert await pages_of(client, url) == filtered, (status, candidates)


async def test_nonsense_parameters_fall_back_to_defaults(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.it, title="Still here")
    await client.login("otto@example.com")
    for query in [
        "sort=sideways",
        "status=lost",
        "scope=everywhere",
        "department=abc",
        "department=-5",
        "after=garbage",
        "after=1.5~x",
        "q=%01%02",
        "after=nan~1",
        "after=inf~1",
        "department=2147483648",
        "sort=top&after=99999999999~1",
        "after=1e39~99999999999",
    ]:
        response = await client.get(f"/?{query}")
        assert response.status_code == 200, query
        assert titles(response.text) == ["Still here"], query
    # A NUL is refused wherever it is in a query (PostgreSQL cannot store or compare it).
    refused = await client.get("/?q=dock%00")
    assert refused.status_code == 400
    assert "This address contains a character that cannot be used." in refused.text


async def test_show_more_pages_through_every_idea_once(client: Client, board: Personas) -> None:
    count = 2 * PAGE_SIZE + 5  # three pages
    for n in range(count):
        await make_idea(board.mia, board.it, title=f"Idea {n:02}")
    await client.login("otto@example.com")
    for sort in ["hot", "top", "new", "trending"]:
        seen: list[str] = []
        url: str | None = f"/?sort={sort}"
        while url:
            page = await client.get(url)
            seen += titles(page.text)
            match = re.search(r'<a href="(/\?[^"]+)" data-hx-get', page.text)
            url = match.group(1).replace("&amp;", "&") if match else None
        assert len(seen) == count, sort
        assert len(set(seen)) == count, sort


async def test_show_more_with_htmx_returns_only_the_next_items(
    client: Client, board: Personas
) -> None:
    for n in range(PAGE_SIZE + 5):
        await make_idea(board.mia, board.it, title=f"Idea {n:02}")
    await client.login("otto@example.com")
    first = await client.get("/?sort=new")
    next_url = (
        re.search(r'<a href="(/\?[^"]+)" data-hx-get', first.text).group(1).replace("&amp;", "&")
    )
    fragment = await client.get(next_url, headers={"HX-Request": "true", "HX-Target": "show-more"})
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<li class="idea-card"')
    assert titles(fragment.text) == [f"Idea {n:02}" for n in range(4, -1, -1)]
    assert "Show more" not in fragment.text


async def test_filter_change_with_htmx_returns_the_results_block(
    client: Client, board: Personas
) -> None:
    await make_idea(board.mia, board.it, title="IT idea")
    await client.login("otto@example.com")
    fragment = await client.get(
        f"/?department={board.it}", headers={"HX-Request": "true", "HX-Target": "board-results"}
    )
    assert fragment.text.lstrip().startswith('<section id="board-results"')
    assert titles(fragment.text) == ["IT idea"]
    assert fragment.headers["vary"] == "HX-Request"


def pressed(html: str) -> list[str]:
    """aria-pressed of each Vote button on the page, in order."""
    return re.findall(r'id="vote-\d+" aria-pressed="(true|false)"', html)


async def test_a_shared_page_still_shows_each_reader_their_own_votes(
    client: Client, board: Personas
) -> None:
    first = await make_idea(board.mia, board.it, title="Quiet room")
    await make_idea(board.mia, board.it, title="Standing desks")
    await client.login("otto@example.com")
    assert pressed((await client.get("/?sort=new")).text) == ["false", "false"]
    await client.post(f"/ideas/{first}/vote", {"voted": "1"})
    page = (await client.get("/?sort=new")).text  # at once, not a second later
    assert pressed(page) == ["false", "true"] and "1 vote" in page_text(page)
    await client.logout()

    await client.login("ada@example.com")  # the same view, another reader
    page = (await client.get("/?sort=new")).text
    assert pressed(page) == ["false", "false"] and "1 vote" in page_text(page)


async def write_elsewhere(database_url: str, sql: str) -> None:
    """A write by another process: a connection of its own, not the app's engine."""
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            connection.execute(sql)
        return
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_another_processs_change_shows_within_a_second(
    client: Client, board: Personas, database_url: str
) -> None:
    idea = await make_idea(board.mia, board.it, title="Bike racks")
    await client.login("otto@example.com")
    assert "Bike racks" in (await client.get("/")).text
    await write_elsewhere(
        database_url, f"UPDATE idea SET title = 'Covered bike racks' WHERE id = {idea}"
    )
    waited = 0.0
    while "Covered bike racks" not in (await client.get("/")).text:
        assert waited < 1.5, "another process's change did not show within a second"
        await asyncio.sleep(0.1)
        waited += 0.1


async def test_a_search_ranks_its_newest_matches_at_most(
    client: Client, board: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #18's decision: a search ranks a bounded set of candidates (on SQLite the
    newest RANKED_AT_MOST matches); the best match among them comes first. PostgreSQL
    ranks every match."""
    from ideaboard.db import is_sqlite
    from ideaboard.services import search

    best = await make_idea(board.mia, board.it, title="Vegan vegan vegan lunch")
    for n in range(4):
        await make_idea(board.mia, board.it, title=f"Lunch {n}", body="Something vegan")
    monkeypatch.setattr(search, "RANKED_AT_MOST", 3)
    await client.login("otto@example.com")
    for url in ("/?q=vegan", f"/?q=vegan&department={board.it}"):  # both ranking paths
        shown = titles((await client.get(url)).text)
        if is_sqlite():
            assert sorted(shown) == ["Lunch 1", "Lunch 2", "Lunch 3"], shown
        else:
            assert shown[0] == "Vegan vegan vegan lunch" and len(shown) == 5, shown
    monkeypatch.setattr(search, "RANKED_AT_MOST", 1000)
    first = (await client.get("/?q=vegan")).text
    assert titles(first)[0] == "Vegan vegan vegan lunch" and f'id="idea-{best}"' in first
