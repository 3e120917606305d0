"""The board: sorts, filters, search and keyset pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from conftest import Client, Personas, make_idea
from ideaboard.services import ranking
from ideaboard.services.clock import now
from ideaboard.tables import Idea, Vote


def titles(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/ideas/\d+">([^<]+)</a></h2>', html)


async def test_board_lists_ideas_with_path_counts_and_vote_buttons(
    client: Client, board: Personas
) -> None:
    await make_idea(board.mia, board.operations, title="Dock calendar")
    await client.login("otto@example.com")
    page = await client.get("/")
    assert titles(page.text) == ["Dock calendar"]
    assert "from Customer Service" in page.text
    assert "0 comments" in page.text
    assert "0 votes" in page.text
    for control in ["Hot", "Top", "New", "Trending", 'aria-label="Search ideas"']:
        assert control in page.text
    assert '<label for="filter-department">Department</label>' in page.text
    assert '<label for="filter-status">Status</label>' in page.text


async def test_sorts_order_the_board(client: Client, board: Personas) -> None:
    old_popular = await make_idea(board.mia, board.it, title="Old popular")
    fresh = await make_idea(board.mia, board.it, title="Fresh")
    trending = await make_idea(board.mia, board.it, title="Trending now")
    long_ago = now() - timedelta(days=20)
    await Idea.update({Idea.created_at: long_ago}).where(Idea.id == old_popular)
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
    await make_idea(board.mia, board.it, title="Canteen menu", body="More 100% vegan_food")
    await client.login("otto@example.com")
    assert titles((await client.get("/?q=DOCK")).text) == ["Dock calendar"]
    assert titles((await client.get("/?q=trucks")).text) == ["Dock calendar"]
    assert titles((await client.get("/?q=100%25")).text) == ["Canteen menu"]
    assert titles((await client.get("/?q=_")).text) == ["Canteen menu"]
    empty = await client.get("/?q=nothing+like+this")
    assert "No ideas match" in empty.text


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
        "q=%00%01",
    ]:
        response = await client.get(f"/?{query}")
        assert response.status_code == 200, query
        assert titles(response.text) == ["Still here"], query


async def test_show_more_pages_through_every_idea_once(client: Client, board: Personas) -> None:
    for n in range(45):
        await make_idea(board.mia, board.it, title=f"Idea {n:02}")
    await client.login("otto@example.com")
    for sort in ["hot", "top", "new", "trending"]:
        seen: list[str] = []
        url: str | None = f"/?sort={sort}"
        while url:
            page = await client.get(url)
            seen += titles(page.text)
            match = re.search(r'<a href="(/\?[^"]+)" hx-get', page.text)
            url = match.group(1).replace("&amp;", "&") if match else None
        assert len(seen) == 45, sort
        assert len(set(seen)) == 45, sort


async def test_show_more_with_htmx_returns_only_the_next_items(
    client: Client, board: Personas
) -> None:
    for n in range(25):
        await make_idea(board.mia, board.it, title=f"Idea {n:02}")
    await client.login("otto@example.com")
    first = await client.get("/?sort=new")
    next_url = re.search(r'<a href="(/\?[^"]+)" hx-get', first.text).group(1).replace("&amp;", "&")
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
