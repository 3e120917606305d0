"""The busiest pages run a few hand-checked statements, however full the board is: a new
query on a hot path fails here, not in a benchmark a week later (issue #18)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import sample_files
from conftest import Client, Personas, make_idea
from ideaboard.db import current_engine
from ideaboard.services import comments, status_updates, votes
from ideaboard.services.comments import CommentInput
from ideaboard.services.status_updates import StatusUpdateInput
from ideaboard.tables import Idea, Notification

MOST = 4  # statements for the board, the idea page and a vote


async def statements_of(request: Callable[[], Awaitable[Any]]) -> tuple[int, Any]:
    """How many statements the database ran for one request, and its response."""
    engine = current_engine()
    before = engine.statements  # type: ignore[attr-defined]
    response = await request()
    return engine.statements - before, response  # type: ignore[attr-defined]


@pytest.fixture
async def busy_idea(board: Personas) -> int:
    """An idea with votes, comments, an owner's answer and followers, among others."""
    for n in range(40):
        await make_idea(board.mia, board.operations, title=f"Another idea {n}")
    idea = await make_idea(board.mia, board.operations, title="Shared calendar for the docks")
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await votes.set_vote(board.ada.actor, idea, voted=True)
    for text in ("Yes please", "We tried this in 2019"):
        await comments.add_comment(board.otto.actor, idea, CommentInput(body=text))
    await status_updates.update_status(
        board.ada.actor, idea, StatusUpdateInput(status="planned", message="Next quarter.")
    )
    return idea


@pytest.mark.parametrize("path", ["/", "/?sort=top", "/?sort=new&status=all", "/?q=calendar"])
async def test_the_board_runs_at_most_four_statements(
    client: Client, board: Personas, busy_idea: int, path: str
) -> None:
    await client.login(board.otto.email)
    count, page = await statements_of(lambda: client.get(path))
    assert page.status_code == 200 and f'id="idea-{busy_idea}"' in page.text
    assert count <= MOST, path


async def test_the_idea_page_runs_at_most_four_statements(
    client: Client, board: Personas, busy_idea: int
) -> None:
    await client.login(board.otto.email)
    await client.get(f"/ideas/{busy_idea}")  # reads the bell's news of the answer
    count, page = await statements_of(lambda: client.get(f"/ideas/{busy_idea}"))
    assert page.status_code == 200 and "We tried this in 2019" in page.text
    assert "Next quarter." in page.text
    assert count <= MOST


async def test_an_idea_with_pictures_runs_one_statement_more(
    client: Client, board: Personas, busy_idea: int
) -> None:
    """Its files (and its comments') in one indexed read, run only when it has any."""
    await client.login(board.mia.email)
    await client.post(
        f"/ideas/{busy_idea}/comments", {"body": "A photo"},
        files=[("files", ("gate.png", sample_files.png(), "image/png"))],
    )  # fmt: skip
    await client.get(f"/ideas/{busy_idea}")
    count, page = await statements_of(lambda: client.get(f"/ideas/{busy_idea}"))
    assert page.status_code == 200 and "Picture: gate.png" in page.text
    assert count <= MOST + 1


async def test_opening_an_idea_marks_its_news_read_only_when_there_is_news(
    client: Client, board: Personas, busy_idea: int
) -> None:
    """The one write on the idea page runs only when the bell has news of the idea."""
    await client.login(board.otto.email)
    unread = Notification.select().where(
        Notification.account == board.otto.id,
        Notification.idea == busy_idea,
        Notification.read_at.is_null(),
    )
    assert await unread
    with_news, _ = await statements_of(lambda: client.get(f"/ideas/{busy_idea}"))
    assert not await unread
    without, _ = await statements_of(lambda: client.get(f"/ideas/{busy_idea}"))
    assert with_news == without + 1


async def test_a_vote_and_its_undoing_run_at_most_four_statements(
    client: Client, board: Personas, busy_idea: int
) -> None:
    await client.login(board.mo.email)
    url = f"/ideas/{busy_idea}/vote"
    count, response = await statements_of(lambda: client.post(url, {"voted": "1"}, htmx=True))
    assert response.status_code == 200 and 'aria-pressed="true"' in response.text
    assert count <= MOST
    stored = await Idea.select(Idea.vote_count).where(Idea.id == busy_idea).first()
    assert stored["vote_count"] == 3

    count, response = await statements_of(lambda: client.post(url, {"voted": "0"}, htmx=True))
    assert response.status_code == 200 and 'aria-pressed="false"' in response.text
    assert count <= MOST
    stored = await Idea.select(Idea.vote_count).where(Idea.id == busy_idea).first()
    assert stored["vote_count"] == 2
