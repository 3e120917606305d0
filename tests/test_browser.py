"""The main flows in a real Chromium, with JavaScript on and off.

Screenshots of every page visited land in test-artifacts/ (desktop and phone widths).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
PASSWORD = "correct horse battery"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium", pytrace=False)
    pytest.skip(
        f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from ideaboard.services.board import PAGE_SIZE  # noqa: E402
from live_server import free_port, serving  # noqa: E402, F401 - shared with other modules


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """`ideaboard serve` as a user runs it, on a fresh database."""
    with serving(database_url, tmp_path) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_console(page: Page) -> list[str]:
    problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def shoot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    # caret="initial": hiding the caret would inject a style that our own CSP blocks.
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True, caret="initial")


def set_up_board(page: Page, url: str) -> None:
    page.goto(url + "/")
    expect(page).to_have_url(url + "/setup")
    page.get_by_label("Organisation name").fill("Acme Logistics")
    page.get_by_label("Your name").fill("Ada Admin")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Your department").fill("Operations")
    page.get_by_role("button", name="Create board").click()
    expect(page.get_by_role("heading", name="Ideas")).to_be_visible()


def add_department(page: Page, url: str, name: str) -> None:
    page.goto(url + "/admin/departments")
    page.get_by_label("New department").fill(name)
    page.get_by_role("button", name="Add department").click()
    expect(page.get_by_role("button", name=f"Archive {name}")).to_be_visible()


def emailed_link(mailbox: Path, address: str, path_pattern: str) -> str:
    """The path of the link matching `path_pattern` in the newest email to `address`
    that the server wrote to its mail folder (the file transport of a fresh install)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for eml in sorted(mailbox.glob("*.eml"), key=lambda f: f.stat().st_mtime, reverse=True):
            message = message_from_bytes(eml.read_bytes(), policy=policy.default)
            body = message.get_body(("plain",))
            if message["To"] == address and body is not None:
                found = re.search(path_pattern, body.get_content())
                if found:
                    return found.group(0)
        time.sleep(0.2)
    raise AssertionError(f"no email to {address} with a link like {path_pattern}")


def sign_up(page: Page, url: str, name: str, email: str, department: str, mailbox: Path) -> None:
    page.get_by_role("navigation").get_by_role("link", name="Sign up").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Department").select_option(label=department)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(url + emailed_link(mailbox, email, r"/signup/confirm/[\w-]+"))
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()  # signed in
    expect(page.get_by_role("status").get_by_text(f"Welcome, {name}!")).to_be_visible()


def propose(page: Page, title: str, department: str) -> None:
    page.get_by_role("link", name="New idea").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Drivers wait **hours** at the gate.\n\n- book slots")
    page.get_by_label("Department").select_option(label=department)
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def test_whole_flow_with_javascript(browser: Browser, server: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch_console(page)
    set_up_board(page, server)
    add_department(page, server, "Customer Service")
    shoot(page, "admin-departments")
    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()

    page.goto(server + "/login")
    sign_up(
        page, server, "Mia Member", "mia@example.com", "Customer Service", tmp_path / "var/mail"
    )
    propose(page, "Shared calendar for the loading docks", "Operations")
    expect(page.get_by_text("from Customer Service")).to_be_visible()
    shoot(page, "idea")

    # Voting swaps the button in place: the page is not reloaded.
    page.evaluate("window.__stillHere = true")
    vote = page.get_by_role("button", name="Vote")
    expect(vote).to_have_attribute("aria-pressed", "false")
    vote.click()
    expect(page.get_by_role("button", name="Vote")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("0 votes", exact=True)).to_be_visible()
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()

    page.get_by_role("textbox", name="Comment").fill("Yes, *please*!")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(".comment em", has_text="please")).to_be_visible()
    expect(page.get_by_role("textbox", name="Comment")).to_have_value("")
    page.get_by_role("button", name="Post comment").click()  # empty: the browser says why
    box = page.get_by_role("textbox", name="Comment")
    assert box.evaluate("element => element.validity.valueMissing") is True
    assert page.evaluate("window.__stillHere") is True
    shoot(page, "idea-with-vote-and-comment")

    page.get_by_role("link", name="All ideas").click()
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="1 comment")).to_be_visible()
    shoot(page, "board")
    page.set_viewport_size({"width": 360, "height": 800})
    shoot(page, "board-phone")

    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert problems == []


def test_vote_and_comment_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    set_up_board(page, server)
    propose(page, "Quiet room for the night shift", "Operations")

    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("button", name="Vote")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()

    page.get_by_role("textbox", name="Comment").fill("Works without JavaScript too")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Works without JavaScript too")).to_be_visible()
    shoot(page, "idea-no-js")

    page.goto(server + "/")
    page.get_by_role("button", name="Vote").click()  # the board's own vote button
    expect(page).to_have_url(server + "/")
    expect(page.get_by_text("0 votes", exact=True)).to_be_visible()

    sign_out(page)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_board_filters_and_show_more_with_javascript(browser: Browser, server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch_console(page)
    set_up_board(page, server)
    add_department(page, server, "IT")
    for n in range(PAGE_SIZE + 2):
        page.goto(server + "/ideas/new")
        page.get_by_label("Title").fill(f"Idea number {n:02}")
        page.get_by_label("Description").fill("Details")
        page.get_by_label("Department").select_option(label="IT" if n % 2 else "Operations")
        page.get_by_role("button", name="Submit idea").click()
        expect(page.get_by_role("heading", name=f"Idea number {n:02}")).to_be_visible()

    page.goto(server + "/ideas/new")
    page.get_by_label("Title").press_sequentially("Idea numb", delay=30)
    similar = page.get_by_role("region", name="Similar ideas")
    expect(similar.get_by_role("link")).to_have_count(5)
    shoot(page, "new-idea-similar")

    page.goto(server + "/?sort=new")
    cards = page.locator(".idea-card")
    expect(cards).to_have_count(PAGE_SIZE)
    page.get_by_role("link", name="Show more").click()
    expect(cards).to_have_count(PAGE_SIZE + 2)
    expect(page.get_by_role("link", name="Show more")).to_have_count(0)

    page.get_by_label("Department", exact=True).select_option(label="IT")
    expect(cards).to_have_count((PAGE_SIZE + 2) // 2)
    expect(page).to_have_url(re.compile(r"[?&]department=2(&|$)"))  # the filter is in the URL
    page.get_by_label("Search ideas").fill("number 07")
    expect(cards).to_have_count(1)
    shoot(page, "board-filtered")
    assert problems == []


def test_status_update_and_digest_preview_in_the_browser(browser: Browser, server: str) -> None:
    """An admin answers an idea with a status update, then sees it in the weekly digest
    as the author will get it (the email's HTML, framed by /admin/digest)."""
    from datetime import timedelta

    from ideaboard.services.clock import now
    from ideaboard.weeks import DigestSchedule, latest_digest_week

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch_console(page)
    set_up_board(page, server)
    propose(page, "Shared calendar for the loading docks", "Operations")
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option(label="Planned")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_text("Write an update message")).to_be_visible()  # kept, explained
    page.get_by_label("Update message").fill("Booked for **March**, starting at dock 3.")
    page.get_by_role("button", name="Post update").click()
    # The answer stands under the title: status, who, and the message.
    standing = page.get_by_role("region", name="Where it stands")
    expect(standing.get_by_text("Booked for")).to_be_visible()
    expect(standing.locator(".status")).to_have_text("Planned")
    expect(page.get_by_role("status").get_by_text("Update posted")).to_be_visible()
    shoot(page, "idea-status-update")

    week = latest_digest_week(now() + timedelta(days=7), DigestSchedule())
    page.goto(f"{server}/admin/digest?week={week}")
    frame = page.frame_locator("iframe.email-preview")
    expect(frame.get_by_text("Top ideas this week")).to_be_visible()
    expect(
        frame.get_by_role("link", name="Shared calendar for the loading docks").first
    ).to_be_visible()
    expect(frame.get_by_text("Updates on ideas you follow")).to_be_visible()
    shoot(page, "admin-digest-preview")
    assert [p for p in problems if "status of 422" not in p] == []  # the refused update


def sign_out(page: Page) -> None:
    """Sign out and wait for it: a new session's forms carry a new CSRF token, so the
    next page must come after the sign-out's answer."""
    menu = page.locator("#phone-menu > summary")  # on a phone, Sign out is in the menu
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#bell")).to_be_visible()  # signed in (Sign out may be in the menu)


def test_manager_triages_and_the_voter_hears_of_it(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    """A manager routes an idea from the Needs owner lane and answers it, inline through
    htmx; the person who voted sees the update under the bell and on the idea."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = watch_console(page)
    set_up_board(page, server)
    add_department(page, server, "Customer Service")
    sign_out(page)
    page.goto(server + "/login")
    mailbox = tmp_path / "var/mail"
    sign_up(page, server, "Manny Manager", "manny@example.com", "Operations", mailbox)
    sign_out(page)
    page.goto(server + "/login")
    sign_up(page, server, "Mia Member", "mia@example.com", "Customer Service", mailbox)
    propose(page, "Covered bike racks", "Operations")
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()
    sign_out(page)

    sign_in(page, server, "ada@example.com")
    page.goto(server + "/admin/departments")
    page.get_by_label("Email of a new manager of Operations").fill("nobody@example.com")
    page.get_by_label("Email of a new manager of Operations").press("Enter")
    expect(
        page.get_by_text("No one on the board has the email nobody@example.com.")
    ).to_be_visible()
    page.get_by_label("Email of a new manager of Operations").fill("manny@example.com")
    page.get_by_label("Email of a new manager of Operations").press("Enter")
    expect(page.get_by_text("Manny Manager", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(
        "Manny Manager now triages the ideas for Operations."
    )
    sign_out(page)

    sign_in(page, server, "manny@example.com")
    page.get_by_role("navigation").get_by_role("link", name="Triage").click()
    lane = page.locator("section.lane-needs_owner")
    row = lane.get_by_role("article", name="Covered bike racks")
    expect(row).to_be_visible()
    page.evaluate("window.__stillHere = true")
    # A compact row: its editor opens from "Route or answer" (a <details>).
    expect(row.get_by_label("Status")).to_be_hidden()
    row.get_by_text("Route or answer").click()
    row.get_by_label("Status").select_option(label="Planned")
    row.get_by_role("button", name="Save").click()
    row = page.get_by_role("article", name="Covered bike racks")
    expect(row.get_by_text("Required with a new status")).to_have_count(0)
    expect(row.get_by_text("Write an update message")).to_be_visible()
    # Typed key by key, as a person does (the row was just swapped in by htmx).
    row.get_by_label("Owner").press_sequentially("mann", delay=80)
    expect(row.locator("datalist option")).to_have_count(1)  # the suggestions arrived
    row.get_by_label("Owner").fill("Manny Manager <manny@example.com>")
    row.get_by_label("Update message").fill("Racks ordered: they arrive in **March**.")
    row.get_by_role("button", name="Save").click()
    row = page.get_by_role("article", name="Covered bike racks")
    expect(row.get_by_text("Saved.")).to_be_visible()
    expect(row.get_by_text("Owner: Manny Manager")).to_be_visible()
    assert page.evaluate("window.__stillHere") is True  # swapped in place
    shoot(page, "triage-saved")
    page.goto(server + "/triage")
    routed = page.locator("section.lane-routed")
    expect(routed.get_by_role("link", name="Covered bike racks")).to_be_visible()
    shoot(page, "triage")
    sign_out(page)

    sign_in(page, server, "mia@example.com")
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    bell.click()
    note = page.get_by_role("link", name="Manny Manager moved “Covered bike racks” to Planned.")
    expect(note).to_be_visible()
    shoot(page, "notifications")
    note.click()
    expect(page.get_by_role("heading", name="Covered bike racks")).to_be_visible()
    expect(page.locator(".standing").get_by_text("Racks ordered")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    assert [p for p in problems if "status of 422" not in p] == []


def test_every_role_works_without_javascript(browser: Browser, server: str, tmp_path: Path) -> None:
    """The main flows of each role with JavaScript off: every form posts and the page
    that comes back shows the result; nothing depends on htmx."""
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    set_up_board(page, server)
    add_department(page, server, "Customer Service")
    sign_out(page)
    mailbox = tmp_path / "var/mail"
    for name, email, department in [
        ("Manny Manager", "manny@example.com", "Operations"),
        ("Mo Moderator", "mo@example.com", "Customer Service"),
        ("Mia Member", "mia@example.com", "Customer Service"),
    ]:
        page.goto(server + "/login")
        sign_up(page, server, name, email, department, mailbox)
        if email != "mia@example.com":
            sign_out(page)

    # Member: propose, vote, comment, follow.
    propose(page, "Covered bike racks", "Operations")
    page.get_by_role("button", name="Vote").click()
    expect(page.get_by_text("1 vote", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Vote")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("textbox", name="Comment").fill("Count me in: I cycle from the station.")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Count me in: I cycle from the station.")).to_be_visible()
    sign_out(page)

    # Admin: a manager for Operations, a moderator.
    sign_in(page, server, "ada@example.com")
    page.goto(server + "/admin/departments")
    page.get_by_label("Email of a new manager of Operations").fill("manny@example.com")
    page.get_by_label("Email of a new manager of Operations").press("Enter")
    expect(
        page.get_by_role("button", name="Remove Manny Manager as manager of Operations")
    ).to_be_visible()
    page.goto(server + "/admin/users")
    row = page.get_by_role("row").filter(has_text="Mo Moderator")
    row.get_by_label("Role of Mo Moderator").select_option("moderator")
    row.get_by_role("button", name="Set role").click()
    expect(
        page.get_by_role("row").filter(has_text="Mo Moderator").get_by_label("Role of Mo Moderator")
    ).to_have_value("moderator")
    sign_out(page)

    # Moderator: hide the comment, then restore it.
    sign_in(page, server, "mo@example.com")
    page.get_by_role("link", name="Covered bike racks").first.click()
    comments = page.locator("#comments")
    comments.get_by_role("button", name="Hide").click()
    expect(page.locator("#comments").get_by_role("button", name="Restore")).to_be_visible()
    page.locator("#comments").get_by_role("button", name="Restore").click()
    expect(page.locator("#comments").get_by_role("button", name="Hide")).to_be_visible()
    sign_out(page)

    # Manager: route the idea to himself with a status and a message.
    sign_in(page, server, "manny@example.com")
    page.get_by_role("navigation").get_by_role("link", name="Triage").click()
    row = page.get_by_role("article", name="Covered bike racks")
    row.get_by_text("Route or answer").click()  # the row's editor: a <details>, no script
    row.get_by_label("Status").select_option(label="Planned")
    row.get_by_role("button", name="Save").click()
    row = page.get_by_role("article", name="Covered bike racks")
    expect(row.get_by_text("Write an update message")).to_be_visible()  # kept, explained
    row.get_by_label("Owner").fill("Manny Manager <manny@example.com>")
    row.get_by_label("Update message").fill("Racks ordered: they arrive in March.")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").get_by_text("Saved: “Covered bike racks”.")).to_be_visible()
    sign_out(page)

    # The member hears of it: the bell counts it, the page lists it, the idea shows it.
    sign_in(page, server, "mia@example.com")
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    bell.click()
    page.get_by_role("link", name="Manny Manager moved “Covered bike racks” to Planned.").click()
    expect(page.get_by_role("heading", name="Covered bike racks")).to_be_visible()
    expect(page.locator(".standing").get_by_text("Racks ordered")).to_be_visible()
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
    context.close()
