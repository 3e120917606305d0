"""An admin connects a webhook in a real Chromium, with JavaScript on and off: the secret
shown once, a test message that reaches a real receiver and verifies, the delivery log;
and a department's Slack channel refused with the address kept, then connected."""

from __future__ import annotations

from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from live_server import serving
from receiver import Receiver
from test_browser import browser, set_up_board, shoot, watch_console  # noqa: F401 - fixture

pytestmark = pytest.mark.browser

from playwright.sync_api import Browser, expect  # noqa: E402


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_an_admin_connects_a_webhook_and_sees_it_work(
    browser: Browser, database_url: str, tmp_path: Path, receiver: Receiver, javascript: bool
) -> None:
    with serving(
        database_url, tmp_path, webhook_allowed_networks="127.0.0.1/32", webhook_poll_seconds="1"
    ) as url:
        setup_page = browser.new_page()
        set_up_board(setup_page, url)  # signs Ada in; her session goes to the test's context
        state = setup_page.context.storage_state()
        context = browser.new_context(java_script_enabled=javascript, storage_state=state)
        page = context.new_page()
        problems = watch_console(page)
        page.goto(url + "/admin")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()

        page.get_by_label("Address").fill("gopher://nowhere")
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_text("Enter an address that starts with https://")).to_be_visible()
        expect(page.get_by_label("Address")).to_have_value("gopher://nowhere")

        page.get_by_label("Address").fill(receiver.url + "/hook")
        page.get_by_label("Description").fill("Intranet news")
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_label("The signing secret").input_value()
        assert secret.startswith("whsec_")
        expect(page).to_have_url(url + "/admin/webhooks")  # a reload shows the page, not a 405
        shoot(page, f"webhooks-added-{'js' if javascript else 'no-js'}")

        page.get_by_role("link", name=receiver.url + "/hook").click()
        page.get_by_role("button", name="Send a test message").click()
        expect(page.get_by_role("status")).to_contain_text("A test message is on its way")
        (got,) = receiver.wait_for("/hook", seconds=20)
        assert Webhook(secret).verify(got.body, got.headers)["type"] == "webhook.test"
        page.reload()
        expect(page.locator(".deliveries")).to_contain_text("Delivered")
        expect(page.locator(".deliveries")).to_contain_text("A test message")

        page.goto(url + "/triage")
        page.get_by_text("Routing thresholds").click()
        page.get_by_role("link", name="Slack and Teams for Operations").click()
        slack = page.get_by_label("Webhook address").first
        slack.fill("hooks.slack.com/services/T0/B0/x")  # no https://: refused, kept
        page.get_by_role("button", name="Connect").first.click()
        expect(page.get_by_text("Paste the address Slack gives")).to_be_visible()
        expect(page.get_by_label("Webhook address").first).to_have_value(
            "hooks.slack.com/services/T0/B0/x"
        )
        # An admin may name any receiver; this one answers like Slack does.
        page.get_by_label("Webhook address").first.fill(receiver.url + "/slack")
        page.get_by_role("button", name="Connect").first.click()
        expect(page.get_by_role("status")).to_contain_text("The Slack channel is connected.")
        shoot(page, f"channels-{'js' if javascript else 'no-js'}")
        # The two refused forms answered 422, as they should; nothing else went wrong.
        assert [p for p in problems if "status of 422" not in p] == [], problems
