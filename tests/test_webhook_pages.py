"""The pages that set webhooks and channels up: /admin/webhooks for admins, a
department's Slack and Teams at /departments/{id}/channels for its managers, the
delivery log and "Send again"; who may use them, and bad input kept with a message."""

from __future__ import annotations

import re

from conftest import Client, Personas, make_idea, page_text, session_cookie_for
from ideaboard.services import departments
from ideaboard.services.event_dispatch import fan_out
from ideaboard.tables import AuditEntry, WebhookDelivery, WebhookEndpoint

SLACK_URL = "https://hooks.slack.com/services/T000/B000/abcdefghijklmnop"
TEAMS_URL = "https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=xyz123"


async def as_person(client: Client, person_id: int) -> None:
    await client.use_session(await session_cookie_for(person_id))


async def test_an_admin_adds_a_webhook_and_sees_its_secret_once(
    client: Client, board: Personas
) -> None:
    await as_person(client, board.ada.id)
    page = await client.get("/admin/webhooks")
    assert page.status_code == 200 and "No webhook yet." in page_text(page.text)
    added = await client.post(
        "/admin/webhooks",
        {"url": "https://intranet.example.com/ideas", "description": "Intranet",
         "events": ["idea.created", "idea.status_changed"]},
    )  # fmt: skip
    assert added.status_code == 200 and added.headers["cache-control"] == "no-store"
    secret = re.search(r'value="(whsec_[^"]+)"', added.text)
    assert secret, added.text
    row = await WebhookEndpoint.select().first()
    assert row["secret"] == secret.group(1) and row["events"] == "idea.created idea.status_changed"
    again = await client.get("/admin/webhooks")
    assert secret.group(1) not in again.text and "intranet.example.com/ideas" in again.text
    assert await AuditEntry.count().where(AuditEntry.action == "webhook.endpoint") == 1


async def test_bad_webhook_input_is_kept_with_a_message(client: Client, board: Personas) -> None:
    await as_person(client, board.ada.id)
    answer = await client.post(
        "/admin/webhooks", {"url": "ftp://files.example.com/x", "description": "Kept words"}
    )
    assert answer.status_code == 422
    text = page_text(answer.text)
    assert "Choose at least one event" in text
    answer = await client.post(
        "/admin/webhooks",
        {"url": "ftp://files.example.com/x", "description": "Kept words", "events": ["all"]},
    )
    assert answer.status_code == 422 and "starts with https://" in page_text(answer.text)
    assert 'value="ftp://files.example.com/x"' in answer.text and "Kept words" in answer.text
    assert await WebhookEndpoint.count() == 0


async def test_only_admins_reach_the_webhooks(client: Client, board: Personas) -> None:
    await as_person(client, board.mo.id)
    assert (await client.get("/admin/webhooks")).status_code == 403
    answer = await client.post("/admin/webhooks", {"url": "https://x.example/", "events": ["all"]})
    assert answer.status_code == 403 and await WebhookEndpoint.count() == 0


async def test_the_log_shows_each_delivery_and_sends_it_again(
    client: Client, board: Personas
) -> None:
    await as_person(client, board.ada.id)
    await client.post(
        "/admin/webhooks", {"url": "https://receiver.example.com/", "events": ["all"]}
    )
    endpoint = (await WebhookEndpoint.select().first())["id"]
    await make_idea(board.mia, board.operations, "Bike racks by the canteen")
    await fan_out("https://ideas.acme.example")
    await WebhookDelivery.update(
        {WebhookDelivery.state: "failed", WebhookDelivery.last_status: 500,
         WebhookDelivery.last_error: "", WebhookDelivery.attempts: 10}
    ).where(WebhookDelivery.id > 0)  # fmt: skip
    page = await client.get(f"/admin/webhooks/{endpoint}")
    assert page.status_code == 200
    text = page_text(page.text)
    assert "Failed" in text and "idea.created" in text and "HTTP 500" in text
    assert "Bike racks by the canteen" in page.text  # the body, in the details
    delivery = (await WebhookDelivery.select().first())["id"]
    again = await client.post(f"/webhooks/deliveries/{delivery}/redeliver")
    assert again.status_code == 303 and again.headers["location"] == f"/admin/webhooks/{endpoint}"
    row = await WebhookDelivery.select().first()
    assert row["state"] == "waiting" and row["attempts"] == 0
    rotated = await client.post(f"/admin/webhooks/{endpoint}/rotate")
    assert rotated.status_code == 200 and "whsec_" in rotated.text
    off = await client.post(f"/admin/webhooks/{endpoint}/switch", {"on": "0"})
    assert off.status_code == 303
    assert not (await WebhookEndpoint.select().first())["active"]
    assert (await client.post(f"/admin/webhooks/{endpoint}/test")).status_code == 303
    assert await WebhookDelivery.count().where(WebhookDelivery.kind == "webhook.test") == 1
    assert (await client.post(f"/admin/webhooks/{endpoint}/remove")).status_code == 303
    assert await WebhookEndpoint.count() == 0


async def test_a_manager_connects_the_departments_channels(client: Client, board: Personas) -> None:
    await departments.add_manager(board.ada.actor, board.it, board.mo.email)
    await as_person(client, board.mo.id)
    triage = await client.get("/triage")
    assert f"/departments/{board.it}/channels" in triage.text
    page = await client.get(f"/departments/{board.it}/channels")
    assert page.status_code == 200 and "Slack and Teams for IT" in page_text(page.text)
    slack = await client.post(f"/departments/{board.it}/channels/slack", {"slack_url": SLACK_URL})
    assert slack.status_code == 303
    teams = await client.post(f"/departments/{board.it}/channels/teams", {"teams_url": TEAMS_URL})
    assert teams.status_code == 303
    rows = {r["format"]: r for r in await WebhookEndpoint.select()}
    assert rows["slack"]["department"] == board.it and rows["teams"]["url"] == TEAMS_URL
    shown = await client.get(f"/departments/{board.it}/channels")
    assert "abcdefghijklmnop" not in shown.text  # the URL is the channel's password
    assert "hooks.slack.com/…klmnop" in shown.text
    off = await client.post(
        f"/departments/{board.it}/channels/slack", {"slack_url": "", "disconnect": "1"}
    )
    assert off.status_code == 303 and await WebhookEndpoint.count() == 1


async def test_a_channel_must_be_slack_or_teams_and_only_for_its_managers(
    client: Client, board: Personas
) -> None:
    await departments.add_manager(board.ada.actor, board.it, board.mo.email)
    await as_person(client, board.mo.id)
    for url in ["https://evil.example.com/hooks.slack.com", "http://hooks.slack.com/services/x",
                "http://169.254.169.254/latest/meta-data"]:  # fmt: skip
        answer = await client.post(f"/departments/{board.it}/channels/slack", {"slack_url": url})
        assert answer.status_code == 422, url
        assert "hooks.slack.com" in page_text(answer.text) and f'value="{url}"' in answer.text
    refused = await client.post(
        f"/departments/{board.operations}/channels/slack", {"slack_url": SLACK_URL}
    )
    assert refused.status_code == 403
    assert (await client.get(f"/departments/{board.operations}/channels")).status_code == 403
    assert (await client.get("/departments/9999/channels")).status_code == 404
    assert await WebhookEndpoint.count() == 0
