"""Closing the loop, in a real Chromium with JavaScript on and off: the owner's answer
reaches the follower (bell and email), a merge undone at once sends nothing, the vote
control says what it is, a rejected idea's author reads why, the triage row works
without script, the phone menu, the roadmap, and the feedback after each action."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import FAST_HASHING, run_in_own_loop
from smtp_sink import Sink, parts
from test_browser import (
    PASSWORD,
    browser,  # noqa: F401 - the fixture: Debian's Chromium
    serving,
    set_up_board,
    shoot,
    sign_in,
    sign_out,
    watch_console,
)

from playwright.sync_api import Browser, BrowserContext, Page, expect  # isort: skip

pytestmark = pytest.mark.browser
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def board_url(database_url: str, tmp_path: Path, sink: Sink) -> Iterator[str]:
    """A served board whose email goes to a real SMTP server, notifications mailed after
    two seconds, with Ada (admin, Operations), Mia (Customer Service), Manny (manager
    of Operations) and Mo (moderator)."""
    with serving(database_url, tmp_path, smtp_url=sink.url,
                 notification_delay_seconds="2") as url:  # fmt: skip
        yield url


def seed(database_url: str) -> None:
    """The people, straight into the database the server uses (after /setup)."""

    async def people() -> None:
        from ideaboard import db
        from ideaboard.domain import Role
        from ideaboard.passwords import Passwords
        from ideaboard.services import departments, users
        from ideaboard.tables import DepartmentManager

        async with db.connected(database_url):
            hashed = await Passwords(
                memory_kib=FAST_HASHING["password_memory_kib"],
                time_cost=FAST_HASHING["password_time_cost"],
            ).hash(PASSWORD)
            operations = (await departments.list_departments())[0].id
            service = (await departments.create_department("Customer Service")).id
            async with db.write_transaction():
                for name, email, department, role in (
                    ("Mia Member", "mia@example.com", service, Role.MEMBER),
                    ("Manny Manager", "manny@example.com", operations, Role.MEMBER),
                    ("Mo Moderator", "mo@example.com", service, Role.MODERATOR),
                ):
                    user_id = await users.insert_user(
                        name=name, email=email, password_hash=hashed, department_id=department,
                        role=role,
                    )  # fmt: skip
                    if email.startswith("manny"):
                        await DepartmentManager.insert(
                            DepartmentManager(department=operations, manager=user_id)
                        )

    run_in_own_loop(people())


def start(browser: Browser, url: str, database_url: str, *, javascript: bool) -> Page:
    page = browser.new_context(viewport=WIDE, java_script_enabled=javascript).new_page()
    set_up_board(page, url)
    seed(database_url)
    sign_out(page)
    return page


def propose(page: Page, url: str, title: str) -> str:
    page.goto(url + "/ideas/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Drivers wait **hours** at the gate.")
    page.get_by_label("Department").select_option(label="Operations")
    page.get_by_role("button", name="Submit idea").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    return page.url.split("?")[0]


def wait_for_mail(sink: Sink, address: str, count: int = 1, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while len(sink.to(address)) < count:
        assert time.monotonic() < deadline, f"no email to {address}: {sink.recipients()}"
        time.sleep(0.2)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_owners_answer_reaches_the_follower_in_the_bell_and_by_email(
    browser: Browser, board_url: str, database_url: str, sink: Sink, javascript: bool
) -> None:
    page = start(browser, board_url, database_url, javascript=javascript)
    problems = watch_console(page)
    sign_in(page, board_url, "mia@example.com")
    idea = propose(page, board_url, "Covered bike racks")
    expect(page.get_by_role("status")).to_have_text(
        "Your idea is on the board. Colleagues can vote for it now."
    )
    sign_out(page)

    sign_in(page, board_url, "manny@example.com")
    page.goto(idea)
    page.get_by_label("Status", exact=True).select_option(label="Planned")
    page.get_by_label("Update message").fill("Ordered: **40 racks** by the gate in March.")
    page.get_by_role("button", name="Post update").click()
    expect(page.get_by_role("status")).to_have_text("Update posted: 1 follower will hear of it.")
    standing = page.get_by_role("region", name="Where it stands")
    expect(standing.get_by_text("Ordered: 40 racks by the gate in March.")).to_be_visible()
    sign_out(page)

    sign_in(page, board_url, "mia@example.com")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    entry = page.locator(".notification").first
    expect(entry.get_by_role("link")).to_have_text(
        "Unread: Manny Manager moved “Covered bike racks” to Planned."
    )
    expect(entry.locator("blockquote")).to_contain_text("Ordered: 40 racks by the gate in March.")
    expect(entry.locator("blockquote .meta strong")).to_have_text("New →to Planned")
    shoot(page, f"notifications-with-message-{'js' if javascript else 'nojs'}")

    wait_for_mail(sink, "mia@example.com")
    [email] = sink.to("mia@example.com")
    assert email["Subject"] == "Manny Manager moved “Covered bike racks” to Planned."
    text, html = parts(email)
    assert "Ordered: 40 racks by the gate in March." in text
    assert "New → Planned, Manny Manager wrote:" in text
    assert "<strong>40 racks</strong>" in html
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "from=status_changed" in "".join(str(email["List-Unsubscribe"]).split())
    assert [p for p in problems if "status of 422" not in p] == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_merge_and_its_undo_send_no_email(
    browser: Browser, board_url: str, database_url: str, sink: Sink, javascript: bool
) -> None:
    page = start(browser, board_url, database_url, javascript=javascript)
    sign_in(page, board_url, "mia@example.com")
    target = propose(page, board_url, "Shared booking calendar for the loading docks")
    duplicate = propose(page, board_url, "Book dock time slots online")
    sign_out(page)

    sign_in(page, board_url, "manny@example.com")
    page.goto(duplicate)
    page.get_by_text("More actions").click()
    field = page.get_by_label("Duplicate of")
    if javascript:  # suggestions by title, from the board's search
        field.press_sequentially("booking calend", delay=40)
        expect(page.locator("#duplicate-options option")).to_have_count(1)
        field.fill(page.locator("#duplicate-options option").first.get_attribute("value") or "")
    else:
        field.fill("#" + target.rsplit("/", 1)[1])
    page.get_by_role("button", name="Merge").click()
    # On to the idea it duplicates, with Undo.
    expect(page).to_have_url(target)
    flash = page.get_by_role("status")
    expect(flash).to_contain_text("“Book dock time slots online” is merged into this idea")
    flash.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status")).to_have_text(
        "The merge is undone: the idea stands on its own again."
    )
    time.sleep(5)  # past the two seconds' delay and the mail loop's polls
    assert sink.to("mia@example.com") == []


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_vote_control_says_and_shows_whether_i_voted(
    browser: Browser, board_url: str, database_url: str, javascript: bool
) -> None:
    page = start(browser, board_url, database_url, javascript=javascript)
    sign_in(page, board_url, "mia@example.com")
    propose(page, board_url, "Covered bike racks")
    vote = page.locator("button.vote-box")
    expect(vote).to_have_accessible_name("Vote 0 votes")
    expect(vote).to_have_attribute("aria-pressed", "false")
    before = vote.evaluate("b => getComputedStyle(b).backgroundColor")
    vote.click()
    vote = page.locator("button.vote-box")
    expect(vote).to_have_accessible_name("Voted 1 vote")
    expect(vote).to_have_attribute("aria-pressed", "true")
    for _ in range(30):  # past the button's colour transition
        after = vote.evaluate("b => getComputedStyle(b).backgroundColor")
        if after != before:
            break
        page.wait_for_timeout(100)
    assert before != after  # filled once voted
    shoot(page, f"vote-voted-{'js' if javascript else 'nojs'}")
    page.goto(board_url + "/")
    expect(page.get_by_role("button", name="Voted 1 vote")).to_be_visible()


def test_a_rejected_ideas_author_reads_why_and_cannot_rally_votes(
    browser: Browser, board_url: str, database_url: str
) -> None:
    page = start(browser, board_url, database_url, javascript=True)
    sign_in(page, board_url, "ada@example.com")
    page.goto(board_url + "/admin")
    page.get_by_label("Approve new ideas and comments before others see them").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("settings are saved")
    sign_out(page)

    sign_in(page, board_url, "mia@example.com")
    idea = propose(page, board_url, "Free parking for everyone")
    expect(page.get_by_role("status")).to_contain_text("A moderator looks at new ideas")
    sign_out(page)

    sign_in(page, board_url, "mo@example.com")
    page.goto(board_url + "/moderation")
    page.get_by_label("Reason for rejecting").fill("Parking is run by the landlord, not by us.")
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text("Rejected")
    sign_out(page)

    sign_in(page, board_url, "mia@example.com")
    page.goto(idea)
    expect(page.get_by_text("Not approved.")).to_be_visible()
    expect(page.get_by_text("Parking is run by the landlord, not by us.")).to_be_visible()
    expect(page.get_by_role("button", name="Vote")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Comment")).to_have_count(0)
    expect(page.get_by_role("button", name="Follow")).to_have_count(0)
    shoot(page, "rejected-idea-author")


def test_a_triage_row_opens_and_saves_without_javascript(
    browser: Browser, board_url: str, database_url: str
) -> None:
    page = start(browser, board_url, database_url, javascript=False)
    sign_in(page, board_url, "mia@example.com")
    propose(page, board_url, "Night shift canteen")
    sign_out(page)
    sign_in(page, board_url, "manny@example.com")
    page.goto(board_url + "/triage")
    row = page.get_by_role("article", name="Night shift canteen")
    expect(row.get_by_label("Owner")).to_be_hidden()  # a compact row
    row.get_by_text("Route or answer").click()
    row.get_by_label("Owner").fill("manny@example.com")
    row.get_by_label("Status").select_option(label="Under review")
    row.get_by_label("Update message").fill("Looking at the costs.")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved: “Night shift canteen”.")
    routed = page.locator("section.lane-routed").get_by_role("article", name="Night shift canteen")
    expect(routed.get_by_text("Owner: Manny Manager")).to_be_visible()
    shoot(page, "triage-saved-nojs")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_the_phone_menu_reaches_every_place(
    browser: Browser, board_url: str, database_url: str, javascript: bool
) -> None:
    setup = start(browser, board_url, database_url, javascript=True)
    setup.context.close()
    context: BrowserContext = browser.new_context(viewport=PHONE, java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, board_url, "ada@example.com")
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()  # in the menu
    page.get_by_text("Menu", exact=True).click()
    menu = page.locator("#phone-menu")
    for place in ("Roadmap", "Triage", "Moderation", "Admin", "Notifications"):
        expect(menu.get_by_role("link", name=place, exact=True)).to_be_visible()
    shoot(page, f"phone-menu-{'js' if javascript else 'nojs'}")
    menu.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    # The first idea's title shows on a phone's first screen.
    page.goto(board_url + "/")
    expect(page.get_by_text("Filters", exact=True)).to_be_visible()
    page.get_by_text("Menu", exact=True).click()
    page.locator("#phone-menu").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")


def test_the_roadmap_shows_columns_wide_and_sections_on_a_phone(
    browser: Browser, board_url: str, database_url: str
) -> None:
    page = start(browser, board_url, database_url, javascript=True)
    sign_in(page, board_url, "manny@example.com")
    for title, status in (("Racks", "Planned"), ("Canteen", "In progress"), ("Signs", "Done")):
        propose(page, board_url, title)
        page.get_by_label("Status", exact=True).select_option(label=status)
        page.get_by_label("Update message").fill(f"{status}.")
        page.get_by_role("button", name="Post update").click()
        expect(page.get_by_role("status")).to_contain_text("Update posted")
    # Departments are remembered 5 s by each process, and the seed wrote from this one.
    time.sleep(5.5)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roadmap").click()
    columns = [page.get_by_role("region", name=name) for name in ("Planned", "In progress", "Done")]
    for column, title in zip(columns, ("Racks", "Canteen", "Signs"), strict=True):
        expect(column.get_by_role("link", name=title)).to_be_visible()
    tops = {round(column.bounding_box()["y"]) for column in columns}  # type: ignore[index]
    assert len(tops) == 1  # side by side
    shoot(page, "roadmap")
    page.set_viewport_size(PHONE)
    tops = [column.bounding_box()["y"] for column in columns]  # type: ignore[index]
    assert tops == sorted(tops) and len(set(tops)) == 3  # one under the other
    page.get_by_label("Department").select_option(label="Customer Service")
    expect(columns[0].get_by_text("Nothing planned yet.")).to_be_visible()
    shoot(page, "roadmap-phone")
