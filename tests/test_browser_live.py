"""Live updates in a real Chromium, across two app servers on PostgreSQL: a page served
by one server shows, without a reload, the vote, the comment and the notification made
through the other (LISTEN/NOTIFY between them). A page without EventSource still works."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from cluster import Cluster, Process
from conftest import POSTGRES_URL, new_postgres_database, run_in_own_loop
from ideaboard import db
from ideaboard.domain import Actor, Role
from ideaboard.passwords import Passwords
from ideaboard.services import departments, ideas, setup, users
from ideaboard.services.sessions import create_session
from live_server import post_form
from test_browser import ARTIFACTS, browser, watch_console  # noqa: F401 - fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not POSTGRES_URL, reason="two app servers need PostgreSQL: IDEABOARD_TEST_POSTGRES_URL"
    ),
]

from playwright.sync_api import Browser, Page, expect  # noqa: E402


@dataclass(frozen=True)
class Two:
    a: Process
    b: Process
    idea: int
    tokens: dict[str, str]


async def _seed(url: str) -> tuple[int, dict[str, str]]:
    async with db.connected(url):
        form = setup.SetupForm("Acme", "Ada Admin", "ada@example.com", "x" * 12, "Operations")
        admin = await setup.create_board(form, Passwords(memory_kib=1024, time_cost=1))
        department = (await departments.list_departments())[0].id
        async with db.write_transaction():
            watcher = await users.insert_user(
                name="Wanda Watcher", email="wanda@example.com", password_hash="x",
                department_id=department, role=Role.MEMBER,
            )  # fmt: skip
        idea = await ideas.create_idea(
            Actor(watcher, Role.MEMBER, department),
            ideas.IdeaInput(
                title="Heated bike shed", body="Winter.", department_id=str(department)
            ),
        )
        tokens = {
            name: await create_session(person, lifetime=timedelta(hours=1))
            for name, person in (("admin", admin), ("watcher", watcher))
        }
        return idea, tokens


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Two]:
    with new_postgres_database("ideaboard_live") as url:
        idea, tokens = run_in_own_loop(_seed(url))
        cluster = Cluster(
            env={
                "IDEABOARD_DATABASE_URL": url,
                "IDEABOARD_SECRET_KEY": secrets.token_urlsafe(48),
                "IDEABOARD_DB_POOL_SIZE": "4",
                "IDEABOARD_BACKGROUND_JOBS": "false",
            },
            workdir=tmp_path_factory.mktemp("live"),
        )
        try:
            yield Two(cluster.app("app-a"), cluster.app("app-b"), idea, tokens)
        finally:
            cluster.stop()
            for process in cluster.processes:
                assert "Traceback" not in process.output(), process.output()


def open_page(browser: Browser, url: str, token: str, *, event_source: bool = True) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "ideaboard_session", "value": token, "url": url}])
    if not event_source:
        context.add_init_script("delete window.EventSource")
    return context.new_page()


def test_what_happens_through_one_server_shows_on_a_page_of_the_other(
    browser: Browser, two: Two
) -> None:
    page = open_page(browser, two.a.url, two.tokens["watcher"])
    problems = watch_console(page)
    with page.expect_response(lambda r: "/live?" in r.url):
        page.goto(f"{two.a.url}/ideas/{two.idea}")
    count = page.locator(f"#vote-button-{two.idea} .vote-count")
    expect(count).to_have_text(re.compile(r"^0\b"))

    post_form(two.b.url, two.tokens["admin"], f"/ideas/{two.idea}/vote", voted="1")
    expect(count).to_have_text(re.compile(r"^1\b"), timeout=10_000)
    expect(page.locator(f"#vote-{two.idea}")).to_have_attribute("aria-pressed", "false")

    page.get_by_role("textbox", name="Comment").fill("Half-typed thought")
    post_form(two.b.url, two.tokens["admin"], f"/ideas/{two.idea}/comments", body="Quote is in.")
    expect(page.locator("#comment-list")).to_contain_text("Quote is in.", timeout=10_000)
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    # What the watcher was typing is still there: the list was swapped, not the form.
    expect(page.get_by_role("textbox", name="Comment")).to_have_value("Half-typed thought")
    # The watcher wrote the idea, so follows it: the bell counts the new comment.
    expect(page.locator("#bell .badge")).to_have_text("1", timeout=10_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "live-idea-page.png"), full_page=True)
    assert not problems, problems


def test_the_board_updates_its_cards_and_a_page_without_event_source_still_works(
    browser: Browser, two: Two
) -> None:
    board = open_page(browser, two.a.url, two.tokens["watcher"])
    problems = watch_console(board)
    with board.expect_response(lambda r: "/live?" in r.url):
        board.goto(f"{two.a.url}/")
    before = board.locator(f"#vote-button-{two.idea} .vote-count").inner_text()
    post_form(two.b.url, two.tokens["admin"], f"/ideas/{two.idea}/vote", voted="0")
    expect(board.locator(f"#vote-button-{two.idea} .vote-count")).not_to_have_text(
        before, timeout=10_000
    )
    assert not problems, problems

    plain = open_page(browser, two.b.url, two.tokens["watcher"], event_source=False)
    problems = watch_console(plain)
    plain.goto(f"{two.b.url}/ideas/{two.idea}")
    plain.get_by_role("textbox", name="Comment").fill("Works without live updates")
    plain.get_by_role("button", name="Post comment").click()
    expect(plain.locator("#comment-list")).to_contain_text("Works without live updates")
    assert not [p for p in problems if "EventSource" not in p], problems
