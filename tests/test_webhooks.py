"""The event stream and Standard Webhooks, against a real local receiver: events written
with their cause, the visibility rule on the way out, signatures the `standardwebhooks`
library verifies, retries and switching off, and the sender's guards. Both databases."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from conftest import Personas, make_idea, run_in_own_loop
from ideaboard import db
from ideaboard.domain import Actor, Role
from ideaboard.jobs.events import move_events
from ideaboard.mail.mailer import Mailer
from ideaboard.services import (
    comments,
    events,
    ideas,
    moderation,
    routing,
    status_updates,
    votes,
)
from ideaboard.services import webhooks as webhook_admin
from ideaboard.services.clock import now
from ideaboard.services.errors import Forbidden
from ideaboard.settings import Settings
from ideaboard.tables import (
    DomainEvent,
    Idea,
    Organisation,
    OutboxEmail,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from ideaboard.webhooks import delivery as webhook_delivery
from ideaboard.webhooks.sender import BODY_CAP
from live_server import serving
from receiver import Behaviour, Receiver
from smtp_sink import Sink
from test_scim_compliance import cli, set_up_board


async def kinds() -> list[str]:
    rows = await DomainEvent.select(DomainEvent.kind).order_by(DomainEvent.id)
    return [row["kind"] for row in rows]


async def add(receiver: Receiver, path: str = "/hook", events: str = "all") -> tuple[int, str]:
    return await webhook_admin.add_endpoint(None, receiver.url + path, events, "Test receiver")


async def deliveries() -> list[dict[str, Any]]:
    return await WebhookDelivery.select().order_by(WebhookDelivery.id)


# --- the stream ----------------------------------------------------------------------------


async def test_each_cause_records_its_event(board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await comments.add_comment(board.otto.actor, idea, comments.CommentInput(body="Yes please"))
    await routing.save_triage(
        board.ada.actor, idea, routing.TriageInput(owner=board.otto.name, status="planned",
                                                   message="On the list for May")
    )  # fmt: skip
    other = await make_idea(board.otto, board.operations, "The same again")
    from ideaboard.services import merges

    await merges.merge_ideas(board.ada.actor, other, f"#{idea}")
    assert await kinds() == [
        "idea.created", "comment.created", "idea.routed", "idea.status_changed",
        "idea.created", "idea.merged",
    ]  # fmt: skip
    changed = await DomainEvent.select(DomainEvent.detail).where(
        DomainEvent.kind == "idea.status_changed"
    ).first()  # fmt: skip
    assert json.loads(changed["detail"])["to"] == "planned"


async def test_a_failed_action_records_nothing(board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    before = await kinds()
    with pytest.raises(Forbidden):
        await status_updates.update_status(
            board.mia.actor, idea, status_updates.StatusUpdateInput(status="done")
        )
    assert await kinds() == before


async def test_votes_are_announced_once_a_minute_not_one_by_one(board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    for person in (board.otto, board.ada, board.mo):
        await votes.set_vote(person.actor, idea, voted=True)
    assert "idea.votes_changed" not in await kinds()  # the vote path writes no event
    assert await events.announce_votes() == 1
    rows = await DomainEvent.select(DomainEvent.detail).where(
        DomainEvent.kind == "idea.votes_changed"
    )  # fmt: skip
    assert [json.loads(r["detail"]) for r in rows] == [{"votes": 3, "before": 0}]
    assert await events.announce_votes() == 0  # nothing moved since
    await votes.set_vote(board.mo.actor, idea, voted=False)
    assert await events.announce_votes() == 1


async def test_pending_ideas_are_news_when_approved(board: Personas) -> None:
    await Organisation.update({Organisation.pre_moderation: True}, force=True)
    idea = await make_idea(board.mia, board.operations)
    assert await kinds() == []
    await moderation.decide_idea(board.mo.actor, idea, approve=True)
    assert await kinds() == ["idea.created"]


# --- delivery ------------------------------------------------------------------------------


async def test_a_delivery_is_signed_and_verifies(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    _, secret = await add(receiver)
    idea = await make_idea(board.mia, board.operations, "Night shift parking")
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/hook")
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "idea.created"
    assert payload["data"]["idea"]["id"] == idea
    assert payload["data"]["idea"]["title"] == "Night shift parking"
    assert payload["data"]["idea"]["url"].endswith(f"/ideas/{idea}")
    assert payload["data"]["actor"] == {"name": board.mia.name}
    assert got.headers["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):
        Webhook(webhook_admin.new_signing_secret()).verify(got.body, got.headers)
    (row,) = await deliveries()
    assert row["state"] == "delivered" and row["last_status"] == 200 and row["attempts"] == 1


async def test_endpoints_hear_only_the_events_they_chose(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await add(receiver, "/comments", "comment.created")
    idea = await make_idea(board.mia, board.operations)
    await comments.add_comment(board.otto.actor, idea, comments.CommentInput(body="Agreed"))
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/comments")
    body = got.json()
    assert body["type"] == "comment.created" and body["data"]["comment"]["body"] == "Agreed"
    assert body["data"]["comment"]["url"].endswith(f"#comment-{body['data']['comment']['id']}")


async def test_anonymous_authors_are_never_named(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await add(receiver)
    idea = await ideas.create_idea(
        board.mia.actor,
        ideas.IdeaInput(title="Quiet idea", body="Shh", department_id=str(board.operations),
                        anonymous=True),
    )  # fmt: skip
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/hook")
    assert board.mia.name not in got.body.decode()
    assert "Customer Service" not in got.body.decode()  # her department would say who
    assert "actor" not in got.json()["data"] and got.json()["data"]["idea"]["id"] == idea


async def test_hidden_and_pending_ideas_reach_nobody(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await add(receiver)
    hidden = await make_idea(board.mia, board.operations, "Soon hidden")
    await comments.add_comment(board.otto.actor, hidden, comments.CommentInput(body="x"))
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="Off topic")
    shown = await make_idea(board.mia, board.operations, "Stays")
    comment = await comments.add_comment(board.otto.actor, shown, comments.CommentInput(body="y"))
    await moderation.set_comment_hidden(board.mo.actor, comment, hidden=True)
    await Organisation.update({Organisation.pre_moderation: True}, force=True)
    await make_idea(board.mia, board.operations, "Waits for a moderator")
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/hook")
    assert got.json()["type"] == "idea.created" and got.json()["data"]["idea"]["id"] == shown
    assert len(await deliveries()) == 1
    assert await DomainEvent.count().where(DomainEvent.dispatched_at.is_null()) == 0


async def test_a_merge_names_its_target_only_while_the_public_may_see_it(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    from ideaboard.services import merges

    await add(receiver, events="idea.merged")
    target = await make_idea(board.mia, board.operations, "The original")
    duplicate = await make_idea(board.otto, board.operations, "The same again")
    await merges.merge_ideas(board.ada.actor, duplicate, f"#{target}")
    await moderation.set_idea_hidden(board.mo.actor, target, hidden=True, reason="Personal")
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/hook")
    data = got.json()["data"]
    assert got.json()["type"] == "idea.merged" and data["idea"]["id"] == duplicate
    assert data["merged_into"] is None and "The original" not in got.body.decode()


async def test_what_was_hidden_after_queueing_is_withdrawn(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await add(receiver)
    idea = await make_idea(board.mia, board.operations, "Hidden in a moment")
    from ideaboard.services.event_dispatch import fan_out

    await fan_out(local.effective_base_url)
    await moderation.set_idea_hidden(board.mo.actor, idea, hidden=True, reason="Personal")
    await move_events(local, mailer)
    (row,) = await deliveries()
    assert row["state"] == "withdrawn" and receiver.received == []


async def test_failures_are_retried_with_backoff_then_the_endpoint_is_switched_off(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer, sink: Sink
) -> None:
    receiver.behaviours["/hook"] = Behaviour(status=500, body=b"boom")
    endpoint, _ = await add(receiver)
    await make_idea(board.mia, board.operations)
    await move_events(local, mailer)
    (row,) = await deliveries()
    assert row["state"] == "waiting" and row["attempts"] == 1 and row["last_status"] == 500
    assert row["last_response"] == "boom"
    wait = row["next_attempt_at"] - now()
    assert timedelta(seconds=3) < wait < timedelta(seconds=7)  # 5 s, give or take a fifth
    delays = [webhook_delivery.retry_delay(n, jitter=lambda: 0.5) for n in range(1, 10)]
    assert timedelta(hours=70) < sum(delays, timedelta()) < timedelta(hours=74)  # ~3 days
    # The last attempt is due: it fails too, and nothing got through meanwhile.
    await WebhookDelivery.update(
        {WebhookDelivery.attempts: webhook_delivery.MOST_ATTEMPTS - 1,
         WebhookDelivery.next_attempt_at: now()}
    ).where(WebhookDelivery.id == row["id"])  # fmt: skip
    await move_events(local, mailer)
    (row,) = await deliveries()
    assert row["state"] == "failed" and row["attempts"] == webhook_delivery.MOST_ATTEMPTS
    endpoint_row = await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint).first()
    assert not endpoint_row["active"] and endpoint_row["disabled_reason"] == "retries"
    await mailer.deliver()
    (email,) = [m for m in sink.messages if "webhook" in m["Subject"]]
    assert email["To"] == board.ada.email
    assert receiver.url in email.get_body(("plain",)).get_content()
    # Switched off, it hears of nothing more until an admin switches it on again.
    await make_idea(board.mia, board.operations, "Another")
    await move_events(local, mailer)
    assert len(receiver.at("/hook")) == 2


async def test_a_410_switches_the_endpoint_off_at_once(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    receiver.behaviours["/gone"] = Behaviour(status=410)
    endpoint, _ = await add(receiver, "/gone")
    await make_idea(board.mia, board.operations)
    await move_events(local, mailer)
    row = await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint).first()
    assert not row["active"] and row["disabled_reason"] == "gone"
    assert await OutboxEmail.count().where(OutboxEmail.kind == "webhook") == 1
    await webhook_admin.switch(board.ada.actor, endpoint, on=True)
    assert (await WebhookEndpoint.select().where(WebhookEndpoint.id == endpoint).first())["active"]


async def test_redelivery_sends_the_same_message_again(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    _, secret = await add(receiver)
    await make_idea(board.mia, board.operations)
    await move_events(local, mailer)
    (row,) = await deliveries()
    await webhook_admin.redeliver(board.ada.actor, row["id"])
    await move_events(local, mailer)
    first, second = receiver.wait_for("/hook", 2)
    assert first.body == second.body and first.headers["webhook-id"] == second.headers["webhook-id"]
    Webhook(secret).verify(second.body, second.headers)


async def test_a_rotated_secret_signs_beside_the_old_one(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    endpoint, old = await add(receiver)
    new = await webhook_admin.rotate_secret(board.ada.actor, endpoint)
    await make_idea(board.mia, board.operations)
    await move_events(local, mailer)
    (got,) = receiver.wait_for("/hook")
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)


# --- the sender's guards -------------------------------------------------------------------


async def test_a_private_address_is_refused_unless_allowed(
    board: Personas, receiver: Receiver, settings: Settings, mailer: Mailer
) -> None:
    await add(receiver)
    await make_idea(board.mia, board.operations)
    await move_events(settings, mailer)  # no allow-list: loopback is refused
    (row,) = await deliveries()
    assert row["state"] == "waiting" and row["last_status"] is None
    assert "127.0.0.1" in row["last_error"]
    assert "IDEABOARD_WEBHOOK_ALLOWED_NETWORKS" in row["last_error"]
    assert receiver.received == []


async def test_a_redirect_is_not_followed(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    receiver.behaviours["/moved"] = Behaviour(status=307, location=receiver.url + "/elsewhere")
    await add(receiver, "/moved")
    await make_idea(board.mia, board.operations)
    await move_events(local, mailer)
    (row,) = await deliveries()
    assert row["state"] == "waiting" and row["last_status"] == 307
    assert "not followed" in row["last_error"]
    assert receiver.at("/elsewhere") == []


async def test_an_endless_body_is_cut_off_and_a_silent_receiver_times_out(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    receiver.behaviours["/endless"] = Behaviour(endless=True)
    receiver.behaviours["/silent"] = Behaviour(delay=30)
    await add(receiver, "/endless")
    await add(receiver, "/silent")
    await make_idea(board.mia, board.operations)
    started = time.monotonic()
    await move_events(local, mailer)
    assert time.monotonic() - started < 15  # not 30 s, and not forever
    rows = {row["endpoint"]: row for row in await deliveries()}
    endless, silent = rows[min(rows)], rows[max(rows)]
    assert endless["state"] == "delivered" and endless["last_status"] == 200
    assert 0 < len(endless["last_response"]) <= BODY_CAP
    assert silent["state"] == "waiting" and "No answer within 2 seconds" in silent["last_error"]


async def test_bad_endpoints_are_refused_with_a_reason(board: Personas) -> None:
    from ideaboard.services.errors import ValidationFailed

    for url, events_text, field in [
        ("ftp://example.com/x", "all", "url"),
        ("https://user:pw@example.com/", "all", "url"),
        ("", "all", "url"),
        ("https://example.com/hook", "idea.created idea.eaten", "events"),
    ]:
        with pytest.raises(ValidationFailed) as refused:
            await webhook_admin.add_endpoint(board.ada.actor, url, events_text)
        assert field in refused.value.errors
    with pytest.raises(Forbidden):
        await webhook_admin.add_endpoint(board.mia.actor, "https://example.com/", "all")
    assert await WebhookEndpoint.count() == 0
    assert await Idea.count() == 0


# --- end to end: the command line, a running server, a real receiver -------------------------


def test_a_webhook_added_on_the_command_line_hears_a_running_board(
    database_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    run_in_own_loop(set_up_board(database_url))
    refused = cli(database_url, tmp_path, "webhook", "add", "gopher://x", "--events", "all")
    assert refused.returncode == 2 and "https://" in refused.stderr and not refused.stdout
    made = cli(database_url, tmp_path, "webhook", "add", receiver.url + "/cli",
               "--events", "idea.created,comment.created", "--description", "Intranet")  # fmt: skip
    assert made.returncode == 0, made.stderr
    secret = made.stdout.strip()
    assert secret.startswith("whsec_") and "shown only this once" in made.stderr
    listed = cli(database_url, tmp_path, "webhook", "list")
    assert "idea.created comment.created\ton" in listed.stdout and secret not in listed.stdout
    with serving(database_url, tmp_path, webhook_allowed_networks="127.0.0.1/32",
                 webhook_poll_seconds="1"):  # fmt: skip
        run_in_own_loop(_an_idea(database_url))
        (got,) = receiver.wait_for("/cli", seconds=20)
    payload = Webhook(secret).verify(got.body, got.headers)
    assert payload["type"] == "idea.created"
    assert payload["data"]["idea"]["title"] == "Made while the server ran"


async def _an_idea(database_url: str) -> None:
    async with db.connected(database_url):
        ada = await User.select(User.id, User.role, User.department).first()
        actor = Actor(id=ada["id"], role=Role(ada["role"]), department_id=ada["department"])
        await ideas.create_idea(
            actor,
            ideas.IdeaInput(title="Made while the server ran", body="Hello",
                            department_id=str(ada["department"])),
        )  # fmt: skip
