"""Votes: one per person per idea, toggled by the Vote button, closed on final statuses."""

from __future__ import annotations

import asyncio

import pytest

from conftest import Client, Personas, make_idea, page_text, session_cookie_for
from ideaboard.db import write_transaction
from ideaboard.domain import Role, Status
from ideaboard.security import session_csrf_token
from ideaboard.services.users import insert_user
from ideaboard.settings import Settings
from ideaboard.tables import Idea, Vote


async def vote_count(idea_id: int) -> int:
    return (await Idea.select(Idea.vote_count).where(Idea.id == idea_id).first())["vote_count"]


async def test_vote_button_shows_state_and_count(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    page = await client.get(f"/ideas/{idea_id}")
    assert 'aria-pressed="false"' in page.text
    assert "Vote 0 votes" in page_text(page.text)  # its name starts with "Vote"

    response = await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"}, htmx=True)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<div id="vote-button-{idea_id}"')
    assert 'aria-pressed="true"' in response.text
    assert "Voted 1 vote" in page_text(response.text)  # its name now starts with "Voted"
    assert 'class="vote-box voted"' in response.text  # and it looks it
    assert await vote_count(idea_id) == 1

    undo = await client.post(f"/ideas/{idea_id}/vote", {"voted": "0"}, htmx=True)
    assert 'aria-pressed="false"' in undo.text
    assert "Vote 0 votes" in page_text(undo.text)
    assert await vote_count(idea_id) == 0
    assert await Vote.count() == 0


async def test_vote_without_javascript_redirects_back(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    response = await client.post(f"/ideas/{idea_id}/vote", {"voted": "1", "next": "/?sort=top"})
    assert response.status_code == 303
    assert response.headers["location"] == "/?sort=top"
    off_site = await client.post(
        f"/ideas/{idea_id}/vote", {"voted": "1", "next": "https://evil.example/"}
    )
    assert off_site.headers["location"] == f"/ideas/{idea_id}"
    assert await vote_count(idea_id) == 1  # the second "vote" changed nothing
    page = await client.get(f"/ideas/{idea_id}")
    assert 'aria-pressed="true"' in page.text


async def test_voting_again_is_idempotent(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    for _ in range(3):
        await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"})
    assert await Vote.count() == 1
    assert await vote_count(idea_id) == 1


@pytest.mark.parametrize("status", [Status.DONE, Status.DECLINED, Status.DUPLICATE])
async def test_voting_closed_on_final_statuses(
    client: Client, board: Personas, status: Status
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await Idea.update({Idea.status: status.value}).where(Idea.id == idea_id)
    await client.login("otto@example.com")
    page = await client.get(f"/ideas/{idea_id}")
    # The count and the status, no button to press.
    box = page.text.split(f'id="vote-button-{idea_id}"')[1].split("</div>")[0]
    assert 'class="vote-box closed"' in box and "<button" not in box
    assert "0 votes" in page_text(box) and f"status-{status.value}" in page.text

    response = await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"})
    assert response.status_code == 403
    assert "Voting is closed" in response.text
    assert await Vote.count() == 0


async def test_vote_on_missing_idea_is_404(client: Client, board: Personas) -> None:
    await client.login("otto@example.com")
    response = await client.post("/ideas/999999/vote", {"voted": "1"})
    assert response.status_code == 404
    assert await Vote.count() == 0


async def test_vote_updates_hot_score_with_the_count(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    before = (await Idea.select(Idea.hot_score).first())["hot_score"]
    for person in ["otto@example.com", "mo@example.com"]:
        await client.login(person)
        await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"})
    after = (await Idea.select(Idea.hot_score).first())["hot_score"]
    assert after == pytest.approx(before + 0.30103, abs=1e-4)  # log10(2)


async def _voters(count: int, department_id: int) -> list[int]:
    ids = []
    async with write_transaction():
        for n in range(count):
            ids.append(
                await insert_user(
                    name=f"Voter {n}",
                    email=f"voter{n}@example.com",
                    password_hash="$argon2id$unused",
                    department_id=department_id,
                    role=Role.MEMBER,
                )
            )
    return ids


async def test_fifty_people_voting_at_once_are_all_counted(
    client: Client, board: Personas, settings: Settings
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    voters = await _voters(50, board.it)
    tokens = [await session_cookie_for(voter) for voter in voters]
    client.http.cookies.clear()  # each request carries its own voter's cookies

    async def vote(token: str) -> int:
        csrf = session_csrf_token(settings.secret_key, token)  # each session's own
        response = await client.http.post(
            f"/ideas/{idea_id}/vote",
            data={"voted": "1", "_csrf_token": csrf},
            headers={
                "HX-Request": "true",
                "Cookie": f"ideaboard_session={token}; csrftoken={csrf}",
            },
        )
        return response.status_code

    statuses = await asyncio.gather(*(vote(token) for token in tokens))
    assert statuses == [200] * 50
    assert await Vote.count().where(Vote.idea == idea_id) == 50
    assert await vote_count(idea_id) == 50


async def test_fifty_duplicate_votes_from_one_person_count_once(
    client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")

    async def vote() -> int:
        response = await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"}, htmx=True)
        return response.status_code

    statuses = await asyncio.gather(*(vote() for _ in range(50)))
    assert statuses == [200] * 50
    assert await Vote.count().where(Vote.idea == idea_id) == 1
    assert await vote_count(idea_id) == 1


async def set_budget(votes_each: int) -> None:
    from ideaboard.tables import Organisation

    await Organisation.update({Organisation.vote_budget: votes_each}).where(Organisation.id > 0)


async def test_without_a_budget_nobody_counts_votes(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    assert 'id="votes-left"' not in (await client.get("/")).text


async def test_vote_budget_refuses_the_vote_too_many_and_gives_votes_back_on_close(
    client: Client, board: Personas
) -> None:
    await set_budget(2)
    first, second, third = [
        await make_idea(board.mia, board.operations, title=f"Idea {n}") for n in range(3)
    ]
    await client.login("otto@example.com")
    assert "You have <strong>2 votes</strong> left to give." in (await client.get("/")).text

    one = await client.post(f"/ideas/{first}/vote", {"voted": "1"}, htmx=True)
    assert 'aria-pressed="true"' in one.text
    assert 'id="votes-left"' in one.text and 'data-hx-swap-oob="true"' in one.text
    assert "<strong>1 vote</strong> left" in one.text
    await client.post(f"/ideas/{second}/vote", {"voted": "1"})

    refused = await client.post(f"/ideas/{third}/vote", {"voted": "1"}, htmx=True)
    assert refused.status_code == 200  # shown next to the button, not swallowed
    assert "All your votes are in use." in refused.text
    assert "You have used all your votes." in refused.text  # the out-of-band line
    assert 'aria-pressed="false"' in refused.text
    no_js = await client.post(f"/ideas/{third}/vote", {"voted": "1"})
    assert no_js.status_code == 403
    assert "Take one back from another idea" in no_js.text
    assert await Vote.count().where(Vote.voter == board.otto.id) == 2

    again = await client.post(f"/ideas/{first}/vote", {"voted": "1"}, htmx=True)
    assert 'aria-pressed="true"' in again.text  # voting again for the same idea is fine

    await Idea.update({Idea.status: "done"}).where(Idea.id == first)
    page = await client.get("/")
    assert "<strong>1 vote</strong> left" in page.text  # a closed idea gives its vote back
    allowed = await client.post(f"/ideas/{third}/vote", {"voted": "1"}, htmx=True)
    assert 'aria-pressed="true"' in allowed.text


async def test_vote_budget_holds_when_votes_arrive_at_once(client: Client, board: Personas) -> None:
    await set_budget(1)
    ideas = [await make_idea(board.mia, board.operations, title=f"Idea {n}") for n in range(10)]
    await client.login("otto@example.com")

    async def vote(idea_id: int) -> int:
        response = await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"}, htmx=True)
        return response.status_code

    assert set(await asyncio.gather(*(vote(idea_id) for idea_id in ideas))) == {200}
    assert await Vote.count().where(Vote.voter == board.otto.id) == 1
