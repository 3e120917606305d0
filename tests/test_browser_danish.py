"""The main flow in Danish, in a real Chromium whose language is Danish: set up the board,
sign up, propose, vote, comment, and a triage update that reaches the voter; with
JavaScript on, and the vote and comment again with it off."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from test_browser import (
    PASSWORD,
    browser,  # noqa: F401 - fixture
    emailed_link,
    server,  # noqa: F401 - fixture
    shoot,
    watch_console,
)

pytestmark = pytest.mark.browser


def danish_page(browser: Browser, *, javascript: bool = True) -> Page:
    context = browser.new_context(
        locale="da-DK", viewport={"width": 1280, "height": 900}, java_script_enabled=javascript
    )
    return context.new_page()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log ud").click()
    expect(page.get_by_role("heading", name="Log ind")).to_be_visible()


def log_in(page: Page, url: str, email: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page.locator("#bell")).to_be_visible()


def test_the_main_flow_in_danish(browser: Browser, server: str, tmp_path: Path) -> None:
    page = danish_page(browser)
    problems = watch_console(page)
    # The set-up page follows the browser's language, and so does the board it makes.
    page.goto(server + "/")
    expect(page.get_by_role("heading", name="Sæt din idétavle op")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "da"
    page.get_by_label("Organisationens navn").fill("Nordvind Logistik")
    page.get_by_label("Dit navn").fill("Anders Admin")
    page.get_by_label("E-mail").fill("anders@example.com")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_label("Din afdeling").fill("Drift")
    page.get_by_role("button", name="Opret tavle").click()
    expect(page.get_by_role("heading", name="Idéer")).to_be_visible()
    page.goto(server + "/admin/departments")
    page.get_by_label("Ny afdeling").fill("Kundeservice")
    page.get_by_role("button", name="Tilføj afdeling").click()
    expect(page.get_by_role("status")).to_contain_text("Kundeservice er tilføjet.")
    log_out(page)

    # Maja signs up, proposes, votes and comments.
    page.get_by_role("navigation").get_by_role("link", name="Opret konto").click()
    page.get_by_label("Navn").fill("Maja Medarbejder")
    page.get_by_label("E-mail").fill("maja@example.com")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_label("Afdeling").select_option(label="Kundeservice")
    page.get_by_role("button", name="Opret konto").click()
    expect(page.get_by_role("heading", name="Tjek din e-mail")).to_be_visible()
    page.goto(
        server + emailed_link(tmp_path / "var/mail", "maja@example.com", r"/signup/confirm/[\w-]+")
    )
    page.get_by_role("button", name="Opret min konto").click()
    expect(page.get_by_role("status").get_by_text("Velkommen, Maja Medarbejder!")).to_be_visible()

    page.get_by_role("link", name="Ny idé").click()
    page.get_by_label("Titel").fill("Fælles bookingkalender til læsseramperne")
    page.get_by_label("Beskrivelse").fill("Chaufførerne venter **timevis** ved porten.")
    page.get_by_label("Afdeling").select_option(label="Drift")
    page.get_by_role("button", name="Del idé").click()
    expect(page.get_by_role("heading", name="Fælles bookingkalender")).to_be_visible()
    expect(page.get_by_text("fra Kundeservice")).to_be_visible()
    page.get_by_role("button", name="Stem").click()
    expect(page.get_by_role("button", name="Stemt")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("textbox", name="Kommentar").fill("Ja tak, *gerne*!")
    page.get_by_role("button", name="Send kommentar").click()
    expect(page.locator(".comment em", has_text="gerne")).to_be_visible()
    expect(page.get_by_role("heading", name="1 kommentar")).to_be_visible()
    shoot(page, "danish-idea")
    log_out(page)

    # The admin answers it from the triage; Maja hears of it under the bell.
    log_in(page, server, "anders@example.com")
    page.get_by_role("navigation").get_by_role("link", name="Behandling").click()
    row = page.get_by_role("article", name="Fælles bookingkalender til læsseramperne")
    row.get_by_text("Tildel eller svar").click()
    row.get_by_label("Status").select_option(label="Planlagt")
    row.get_by_label("Opdatering").fill("Bestilt: kalenderen er klar i **marts**.")
    row.get_by_role("button", name="Gem").click()
    row = page.get_by_role("article", name="Fælles bookingkalender til læsseramperne")
    expect(row.get_by_text("Gemt.")).to_be_visible()
    shoot(page, "danish-triage")
    log_out(page)

    log_in(page, server, "maja@example.com")
    bell = page.get_by_role("link", name="Notifikationer, 1 ulæst")
    bell.click()
    note = page.get_by_role(
        "link", name="Anders Admin satte “Fælles bookingkalender til læsseramperne” til Planlagt."
    )
    note.click()
    expect(page.locator(".standing").get_by_text("Bestilt: kalenderen er klar i")).to_be_visible()
    expect(page.locator(".standing").get_by_text("Planlagt", exact=True)).to_be_visible()
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth <= 390")
    shoot(page, "danish-idea-phone")
    assert problems == []

    # Without JavaScript: the vote and the comment are plain forms, in Danish too.
    plain = danish_page(browser, javascript=False)
    log_in(plain, server, "anders@example.com")
    plain.goto(page.url)
    plain.get_by_role("button", name="Stem").click()
    expect(plain.get_by_role("button", name="Stemt")).to_be_visible()
    expect(plain.get_by_text("2 stemmer")).to_be_visible()
    plain.get_by_role("textbox", name="Kommentar").fill("Godt gået.")
    plain.get_by_role("button", name="Send kommentar").click()
    expect(plain.get_by_role("heading", name="2 kommentarer")).to_be_visible()
