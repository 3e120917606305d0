"""Every word of every page is translatable: the page tour of test_pages, on the demo
company, in the pseudo-language, where each translated string comes out as ⟦…⟧.

What is left of a page's text once the wrapped strings, what people wrote (titles,
names, departments, comments, as stored) and the dates Babel words are taken out must
hold no letters: a new English word in a template or a message fails here.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from ideaboard.i18n import LANGUAGES, PSEUDO_CLOSE, PSEUDO_LANGUAGE, PSEUDO_OPEN
from test_browser import browser  # noqa: F401 - fixture
from test_pages import PAGES, STATUS, _serve, prepare_tour

# Elements whose text is what people wrote, or Babel's dates: not the board's words.
CONTENT_CLASSES = {"markdown", "excerpt", "reason", "snippet", "summary", "subject"}
SKIPPED_TAGS = {"script", "style", "time", "textarea", "bdi", "code", "pre"}
# Attributes people read (a screen reader, a hover, an empty field).
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")


class Words(HTMLParser):
    """The text a reader meets on a page: text nodes and read attributes, outside the
    skipped elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        # An element in another language on purpose (a language's own name) is skipped.
        foreign = tag != "html" and "lang" in values
        if self.skipping or tag in SKIPPED_TAGS or classes & CONTENT_CLASSES or foreign:
            if tag not in VOID:
                self.skipping.append(tag)
            return
        if tag == "time":
            return
        self.parts += [values[name] or "" for name in READ_ATTRIBUTES if values.get(name)]
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr"}


def untranslated(html: str, content: list[str]) -> list[str]:
    """The pieces of a page's text that are neither translated nor people's own."""
    words = Words()
    words.feed(html)
    text = "\n".join(words.parts)
    wrapped = re.compile(re.escape(PSEUDO_OPEN) + "[^" + PSEUDO_OPEN + PSEUDO_CLOSE + "]*"
                         + re.escape(PSEUDO_CLOSE))  # fmt: skip
    while True:  # innermost first: a translated phrase may hold another one
        text, replaced = wrapped.subn(" ", text)
        if not replaced:
            break
    for item in content:
        text = text.replace(item, " ")
    return [line.strip() for line in text.splitlines() if re.search(r"[^\W\d_]", line)]


@dataclass(frozen=True)
class Board:
    url: str
    database: Path
    idea: int
    own_idea: int
    own_comment: int
    pictured: int
    tokens: dict[str, str]  # a session per person of the tour


def _content(database: Path) -> list[str]:
    """Everything the demo's people wrote or named, longest first."""
    queries = (
        "SELECT title FROM idea", "SELECT name FROM department", "SELECT name FROM account",
        "SELECT email FROM account", "SELECT name FROM organisation",
        "SELECT subject FROM outbox_email", "SELECT reason FROM flag",
        "SELECT summary FROM audit_entry", "SELECT file_name FROM attachment",
    )  # fmt: skip
    found: set[str] = set()
    with sqlite3.connect(database) as connection:
        for sql in queries:
            found |= {row[0] for row in connection.execute(sql) if row[0]}
    return sorted(found, key=len, reverse=True)


@pytest.fixture(scope="module")
def pseudo_board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    yield from _demo_board(tmp_path_factory, PSEUDO_LANGUAGE)


@pytest.fixture(scope="module")
def danish_board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    yield from _demo_board(tmp_path_factory, "da")


def _demo_board(tmp_path_factory: pytest.TempPathFactory, language: str) -> Iterator[Board]:
    """The demo company served, everyone and the board reading `language`, with a session
    per person of the page tour."""
    workdir = tmp_path_factory.mktemp(language)
    database = workdir / "demo.sqlite3"
    env = {**os.environ, "IDEABOARD_DATABASE_URL": f"sqlite:///{database}",
           "IDEABOARD_DATA_DIR": str(workdir / "var")}  # fmt: skip
    cli = [sys.executable, "-m", "ideaboard.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    now = datetime.now(UTC)
    tokens: dict[str, str] = {}
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE organisation SET language = ?", (language,))
        connection.execute("UPDATE account SET language = ?", (language,))
        people = dict(connection.execute("SELECT email, id FROM account"))
        for email in (role for role in PAGES if "@" in role):
            token = secrets.token_urlsafe(32)
            connection.execute(
                "INSERT INTO auth_session (token_hash, account, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                (hashlib.sha256(token.encode()).hexdigest(), people[email], now.isoformat(),
                 (now + timedelta(days=1)).isoformat()),
            )  # fmt: skip
            tokens[email] = token
        idea, own_idea, own_comment = prepare_tour(connection)
        [(pictured,)] = connection.execute("SELECT idea FROM attachment ORDER BY id LIMIT 1")
    process, url = _serve(database, workdir / "var")
    try:
        yield Board(url, database, idea, own_idea, own_comment, pictured, tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("role", list(PAGES))
def test_every_word_of_every_page_is_translatable(pseudo_board: Board, role: str) -> None:
    board = pseudo_board
    # The product's name, and the sign-up waiting for its confirmation.
    content = [*_content(board.database), "Nia Newcomer", "newcomer@example.com", "ideaboard"]
    content += list(LANGUAGES.values())  # each language by its own name, untranslated
    cookies = {"ideaboard_session": board.tokens[role]} if role in board.tokens else {}
    problems: list[str] = []
    with httpx.Client(base_url=board.url, cookies=cookies, timeout=30) as http:
        for template in PAGES[role]:
            path = template.format(idea=board.idea, own_idea=board.own_idea,
                                   own_comment=board.own_comment,
                                   pictured=board.pictured)  # fmt: skip
            started = time.monotonic()
            response = http.get(path)
            assert response.status_code == STATUS.get(template, 200), (path, response.text[:300])
            assert time.monotonic() - started < 30
            problems += [f"{path}: {piece!r}" for piece in untranslated(response.text, content)]
    assert not problems, "Not translatable:\n" + "\n".join(problems)


@pytest.mark.browser
def test_every_page_fits_a_phone_in_danish(browser: Browser, danish_board: Board) -> None:
    """Danish words are longer: the page tour at 360 px, in Danish, nothing wider."""
    board = danish_board
    problems = []
    for role, templates in PAGES.items():
        context = browser.new_context(viewport={"width": 360, "height": 780}, locale="da-DK")
        if role in board.tokens:
            context.add_cookies([{"name": "ideaboard_session", "value": board.tokens[role],
                                  "url": board.url}])  # fmt: skip
        page = context.new_page()
        for template in templates:
            path = template.format(idea=board.idea, own_idea=board.own_idea,
                                   own_comment=board.own_comment,
                                   pictured=board.pictured)  # fmt: skip
            page.goto(board.url + path)
            assert page.locator("html").get_attribute("lang") == "da", path
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                problems.append(f"{role} {path}: {overflow}px wider than 360px")
        context.close()
    assert not problems, "\n".join(problems)


def test_the_check_catches_an_untranslated_word() -> None:
    html = (
        "<main><h1>⟦Ideas⟧</h1><p>⟦You have <strong>⟦3 votes⟧</strong> left⟧</p>"
        '<p class="markdown">Anything people wrote</p><p>Loading dock</p>'
        '<button aria-label="Close">+</button><time>3 days ago</time></main>'
    )
    assert untranslated(html, ["Loading dock"]) == ["Close"]
