"""Company sign-in in a real Chromium against a real OpenID provider: click "Sign in with
Acme ID", sign in at the provider, come back signed in with the directory's department
and role; sign out there too. With JavaScript on and off, and the pages when it fails."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from live_server import serving
from oidc_provider import Provider, running_provider
from test_browser import (
    browser,  # noqa: F401 - fixture
    set_up_board,
    shoot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def company_settings(provider: Provider, **more: str) -> dict[str, str]:
    return {
        "oidc_issuer": provider.url,
        "oidc_client_id": "ideaboard",
        "oidc_client_secret": "board-secret",
        "oidc_name": "Acme ID",
        "oidc_admin_values": "board-admins",
        **more,
    }


@pytest.fixture
def sso_server(database_url: str, tmp_path: Path, provider: Provider) -> Iterator[str]:
    with serving(database_url, tmp_path, **company_settings(provider)) as url:
        yield url


def sign_in_at_provider(page: Page, subject: str) -> None:
    page.get_by_role("link", name="Sign in with Acme ID").click()
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()


def sign_out_everywhere(page: Page, url: str) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.get_by_role("button", name="End session").click()  # the provider's page
    expect(page).to_have_url(re.compile(re.escape(url + "/login") + r"(\?state=\w+)?$"))
    expect(page.get_by_text("You are signed out.")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_sign_in_with_the_company_account(
    browser: Browser, sso_server: str, provider: Provider, javascript: bool
) -> None:
    url = sso_server
    setup_page = browser.new_page(viewport={"width": 1280, "height": 900})
    set_up_board(setup_page, url)
    setup_page.close()
    provider.set_person(
        "u-42", email="nora@example.com", name="Nora Nord", department="Logistics",
        groups=["board-admins"],
    )  # fmt: skip
    context = browser.new_context(
        java_script_enabled=javascript, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    problems: list[str] = []  # on the board's pages (the provider's own pages fetch a CDN)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if (message.type == "error" or "Content Security Policy" in message.text)
            and message.location.get("url", "").startswith(url)
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url + "/login")
    expect(page.get_by_text("or with your email and password")).to_be_visible()
    if javascript:
        shoot(page, "sso-login-both-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        shoot(page, "sso-login-both-390")
        page.set_viewport_size({"width": 1280, "height": 900})
    sign_in_at_provider(page, "u-42")
    expect(page).to_have_url(url + "/")
    expect(page.get_by_text("Welcome, Nora Nord!")).to_be_visible()
    page.goto(url + "/account")
    expect(page.locator("#department_id option:checked")).to_have_text("Logistics")
    expect(page.get_by_text("come from Acme ID")).to_be_visible()
    page.goto(url + "/admin")  # the directory made her an admin
    expect(page.get_by_role("heading", name="Company sign-in")).to_be_visible()
    expect(page.get_by_text(url + "/auth/oidc/callback")).to_be_visible()
    if javascript:
        shoot(page, "sso-admin-1280")
    sign_out_everywhere(page, url)
    assert not problems, problems
    context.close()


def test_the_error_pages_have_a_way_back(browser: Browser, sso_server: str) -> None:
    url = sso_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    set_up_board(page, url)
    page.get_by_role("button", name="Sign out").first.click()
    page.goto(url + "/auth/oidc/callback?code=stolen&state=not-mine")
    expect(page.get_by_role("heading", name="Company sign-in did not work")).to_be_visible()
    expect(page.get_by_text("started in another browser or tab")).to_be_visible()
    shoot(page, "sso-error-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, "sso-error-390")
    page.get_by_role("link", name="Back to sign in").click()
    expect(page).to_have_url(url + "/login")


def test_company_only_sign_in_page(
    browser: Browser, database_url: str, tmp_path: Path, provider: Provider
) -> None:
    settings = company_settings(provider, password_signin="false")
    with serving(database_url, tmp_path, **settings) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        set_up_board(page, url)
        page.get_by_role("button", name="Sign out").first.click()
        expect(page.get_by_text("no separate password")).to_be_visible()
        expect(page.get_by_label("Password")).to_have_count(0)
        shoot(page, "sso-login-only-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        shoot(page, "sso-login-only-390")
        page.goto(url + "/signup")
        expect(
            page.get_by_role("heading", name="This board uses your company account")
        ).to_be_visible()
