"""Live updates: nudges sent after the commit that made them true (never after a
rollback), the hub handing them to the open pages that show them, and the stream of a
real server drawing each for its own reader (their vote, their language, what they may
see). Two servers on PostgreSQL in a real Chromium: tests/test_browser_live.py."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from conftest import FAST_HASHING, PASSWORD, Personas, make_idea, run_in_own_loop
from ideaboard import db, live
from ideaboard.domain import Actor, Role
from ideaboard.passwords import Passwords
from ideaboard.services import comments, departments, ideas, moderation, setup, users, votes
from ideaboard.services.sessions import create_session
from ideaboard.tables import User
from live_server import post_form, serving

# --- the hub, in this process --------------------------------------------------------------


async def test_a_nudge_goes_out_after_the_commit_and_never_after_a_rollback(
    board: Personas,
) -> None:
    hub = live.Hub()
    live.use_hub(hub)
    try:
        idea = await make_idea(board.mia, board.operations)
        page = hub.subscribe(board.otto.id, ideas=[idea])
        with pytest.raises(RuntimeError):
            async with db.write_transaction():
                live.nudge(f"votes:{idea}")
                assert page.queue.empty()  # not before the commit
                raise RuntimeError("rolled back")
        assert page.queue.empty()
        await votes.set_vote(board.mia.actor, idea, voted=True)
        assert page.queue.get_nowait() == f"votes:{idea}"
    finally:
        live.use_hub(None)


async def test_each_page_hears_only_of_what_it_shows(board: Personas) -> None:
    hub = live.Hub()
    live.use_hub(hub)
    try:
        shown = await make_idea(board.mia, board.operations, "On the page")
        other = await make_idea(board.mia, board.operations, "Not on it")
        board_page = hub.subscribe(board.otto.id, ideas=[shown])
        idea_page = hub.subscribe(board.ada.id, ideas=[other], comments_of=other)
        await votes.set_vote(board.mo.actor, shown, voted=True)
        await comments.add_comment(board.mo.actor, other, comments.CommentInput(body="Yes"))
        heard = {name: [] for name in ("board", "idea")}
        for name, page in (("board", board_page), ("idea", idea_page)):
            while not page.queue.empty():
                heard[name].append(page.queue.get_nowait())
        assert heard["board"] == [f"votes:{shown}"]
        # Ada follows nothing here: her bell is not nudged; the author's is (a comment).
        assert heard["idea"] == [f"comments:{other}"]
        hub.unsubscribe(board_page)
        await votes.set_vote(board.ada.actor, shown, voted=True)
        assert board_page.queue.empty()
    finally:
        live.use_hub(None)


async def test_a_page_that_cannot_keep_up_drops_nudges_instead_of_memory(board: Personas) -> None:
    hub = live.Hub()
    page = hub.subscribe(board.otto.id, ideas=[1])
    hub.publish(["votes:1"] * (live.QUEUE_SIZE + 50))
    assert page.queue.qsize() == live.QUEUE_SIZE


def test_topics_are_read_strictly() -> None:
    page = live.Subscriber(user_id=7, ideas=frozenset({3}), comments_of=3)
    assert page.wants("votes:3") and page.wants("comments:3") and page.wants("bell:7")
    for topic in ("votes:4", "bell:8", "votes:", "votes:3x", "nonsense", "comments:4", "x:3"):
        assert not page.wants(topic), topic
    assert list(live._payloads(["votes:1"] * 2000)) == [
        " ".join(["votes:1"] * 875),
        " ".join(["votes:1"] * 875),
        " ".join(["votes:1"] * 250),
    ]


async def test_a_stream_draws_nothing_its_reader_may_not_see(board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.otto.actor, idea, voted=True)
    seen = await votes.current_vote_box(board.otto.actor, idea)
    assert seen is not None and seen.voted and seen.vote_count == 1
    await moderation.set_idea_hidden(board.mo.actor, idea, hidden=True, reason="Personal")
    assert await votes.current_vote_box(board.otto.actor, idea) is None
    assert await votes.current_vote_box(board.mo.actor, idea) is not None  # moderators see it


# --- the stream of a real server -------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    url: str
    database_url: str
    idea: int
    hidden: int
    voter: Actor
    tokens: dict[str, str]


async def _set_up(database_url: str) -> tuple[int, int, Actor, dict[str, str]]:
    async with db.connected(database_url):
        passwords = Passwords(
            memory_kib=FAST_HASHING["password_memory_kib"],
            time_cost=FAST_HASHING["password_time_cost"],
        )
        form = setup.SetupForm("Acme", "Ada Admin", "ada@example.com", PASSWORD, "Operations")
        admin = await setup.create_board(form, passwords)
        department = (await departments.list_departments())[0].id
        people = {}
        async with db.write_transaction():
            for name, language in (("watcher", "en"), ("dansker", "da"), ("voter", "en")):
                people[name] = await users.insert_user(
                    name=name.title(), email=f"{name}@example.com", password_hash="x",
                    department_id=department, role=Role.MEMBER,
                )  # fmt: skip
                await User.update({User.language: language}).where(User.id == people[name])
        admin_actor = Actor(admin, Role.ADMIN, department)
        idea = await ideas.create_idea(
            admin_actor, ideas.IdeaInput(title="Live one", body="x", department_id=str(department))
        )
        hidden = await ideas.create_idea(
            admin_actor,
            ideas.IdeaInput(title="Hidden soon", body="x", department_id=str(department)),
        )
        await votes.set_vote(Actor(people["watcher"], Role.MEMBER, department), idea, voted=True)
        tokens = {
            name: await create_session(person, lifetime=timedelta(hours=1))
            for name, person in {**people, "admin": admin}.items()
        }
        return idea, hidden, Actor(people["voter"], Role.MEMBER, department), tokens


@pytest.fixture
def live_board(database_url: str, tmp_path: Path) -> Iterator[Board]:
    idea, hidden, voter, tokens = run_in_own_loop(_set_up(database_url))
    with serving(database_url, tmp_path, background_jobs="false") as url:
        yield Board(url, database_url, idea, hidden, voter, tokens)


class Stream:
    """An open page's stream, read in a thread: the events as they come."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[tuple[str, str]] = []
        self.comments: list[str] = []
        self.opened = threading.Event()
        self._client = httpx.Client(timeout=httpx.Timeout(5, read=60))
        self._client.cookies.set("ideaboard_session", token)
        self._thread = threading.Thread(target=self._read, args=(url,), daemon=True)
        self._thread.start()
        assert self.opened.wait(10)

    def _read(self, url: str) -> None:
        event, data = "", []
        try:
            with self._client.stream("GET", url) as answer:
                self._answer = answer
                assert answer.headers["content-type"].startswith("text/event-stream")
                self.headers = answer.headers
                for line in answer.iter_lines():
                    if line.startswith(":"):
                        self.comments.append(line)
                        self.opened.set()
                    elif line.startswith("event:"):
                        event = line.partition(":")[2].strip()
                    elif line.startswith("data:"):
                        data.append(line.partition(":")[2].removeprefix(" "))
                    elif not line and event:
                        self.events.append((event, "\n".join(data)))
                        event, data = "", []
        except httpx.HTTPError:
            pass

    def wait_for(self, name: str, seconds: float = 10) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for event, data in self.events:
                if event == name:
                    return data
            time.sleep(0.02)
        raise AssertionError(f"no {name} event; got {self.events}")

    def close(self) -> None:
        """Hang up, as a page that goes away does."""
        self._answer.close()
        self._client.close()
        self._thread.join(5)


def test_each_reader_gets_the_vote_box_as_they_see_it(live_board: Board) -> None:
    b = live_board
    watcher = Stream(f"{b.url}/live?ideas={b.idea}", b.tokens["watcher"])
    dansker = Stream(f"{b.url}/live?ideas={b.idea}", b.tokens["dansker"])
    try:
        assert watcher.headers["x-accel-buffering"] == "no"
        assert watcher.headers["cache-control"] == "no-store"
        post_form(b.url, b.tokens["voter"], f"/ideas/{b.idea}/vote", voted="1")
        mine = watcher.wait_for(f"vote-{b.idea}")
        theirs = dansker.wait_for(f"vote-{b.idea}")
        assert 'aria-pressed="true"' in mine and ">Voted<" in mine  # the watcher voted
        assert 'aria-pressed="false"' in theirs and ">Stem<" in theirs  # in Danish, not voted
        assert '<span class="vote-count">2' in mine and '<span class="vote-count">2' in theirs
        assert f'data-sse-swap="vote-{b.idea}"' in mine  # the new box listens too
    finally:
        watcher.close()
        dansker.close()


def test_a_comment_reaches_the_idea_page_and_the_followers_bell(live_board: Board) -> None:
    b = live_board
    page = Stream(f"{b.url}/live?ideas={b.idea}&comments={b.idea}", b.tokens["watcher"])
    try:
        body = "Shipping **next** week"
        post_form(b.url, b.tokens["admin"], f"/ideas/{b.idea}/comments", body=body)
        comments_html = page.wait_for("comments")
        assert 'id="comment-list"' in comments_html and "<strong>next</strong>" in comments_html
        assert "1 comment" in comments_html
        page.wait_for("bell")  # the watcher voted, so follows the idea: a notification
    finally:
        page.close()


def test_head_answers_like_get_without_a_body(live_board: Board) -> None:
    with httpx.Client(base_url=live_board.url, timeout=5) as browser:
        browser.cookies.set("ideaboard_session", live_board.tokens["watcher"])
        head = browser.head(f"/live?ideas={live_board.idea}")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/event-stream")


def test_the_stream_needs_a_session(live_board: Board) -> None:
    answer = httpx.get(f"{live_board.url}/live?ideas=1", follow_redirects=False, timeout=5)
    assert answer.status_code in (302, 303, 401) and "event-stream" not in answer.headers.get(
        "content-type", ""
    )


def test_a_stopping_server_ends_its_streams_at_once(database_url: str, tmp_path: Path) -> None:
    """SIGTERM ends the open streams first, so a stop (a deploy) does not wait out the
    grace period that requests under way get."""
    _, _, _, tokens = run_in_own_loop(_set_up(database_url))
    with serving(database_url, tmp_path, background_jobs="false") as url:
        pages = [Stream(f"{url}/live?ideas=1", tokens["watcher"]) for _ in range(3)]
        started = time.monotonic()
    stopped = time.monotonic() - started  # the context above waited for the process
    assert stopped < 3, f"the server took {stopped:.1f} s to stop"
    for page in pages:
        page._thread.join(5)
        assert not page._thread.is_alive()  # the stream ended: its reader returned
        page.close()
