"""Notifications: who hears of what, the bell, the page, preferences, and the emails."""

from __future__ import annotations

from datetime import timedelta

from conftest import Client, Personas, make_idea
from ideaboard.mail.mailer import Mailer
from ideaboard.services import comments, notifications, status_updates, votes
from ideaboard.services.notification_emails import email_notifications
from ideaboard.tables import Notification, OutboxEmail, User
from smtp_sink import Sink, parts


async def update(board: Personas, idea: int, status: str, message: str) -> None:
    await status_updates.update_status(
        board.ada.actor, idea, status_updates.StatusUpdateInput(status=status, message=message)
    )


async def test_voters_hear_of_status_updates_in_the_bell_and_by_email(
    client: Client, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    idea = await make_idea(board.mia, board.operations, title="Covered bike racks")
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await update(board, idea, "planned", "Ordered for spring.")

    await client.login(board.otto.email)
    page = await client.get("/")
    assert 'aria-label="Notifications, 1 unread"' in page.text
    listed = await client.get("/notifications")
    assert "Ada Admin moved “Covered bike racks” to Planned." in listed.text
    assert "Status updates on ideas I follow" in listed.text
    bell = await client.get("/notifications/bell", headers={"HX-Request": "true"})
    assert bell.text.startswith('<a id="bell"') and "1 unread" in bell.text

    # The email: made from the notification by the delivery loop, exactly once.
    assert await email_notifications(mailer, delay=timedelta(0)) == 2  # Mia and Otto
    assert await email_notifications(mailer, delay=timedelta(0)) == 0
    report = await mailer.deliver()
    assert report.sent == 2
    to_otto = next(m for m in sink.messages if m["To"] == board.otto.email)
    assert to_otto["Subject"] == "Ada Admin moved “Covered bike racks” to Planned."
    assert to_otto["Auto-Submitted"] == "auto-generated"
    text, html = parts(to_otto)
    assert f"https://ideas.acme.example/ideas/{idea}" in text
    assert f'href="https://ideas.acme.example/ideas/{idea}"' in html

    # Opening the idea reads what the bell said about it.
    await client.get(f"/ideas/{idea}")
    assert 'aria-label="Notifications"' in (await client.get("/")).text


async def test_comments_reach_followers_in_the_app_only_by_default(
    board: Personas, mailer: Mailer
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await comments.add_comment(board.otto.actor, idea, comments.CommentInput("Great idea"))
    heard = await Notification.select(Notification.account, Notification.kind, Notification.emailed)
    assert heard == [{"account": board.mia.id, "kind": "new_comment", "emailed": "no"}]
    assert await email_notifications(mailer, delay=timedelta(0)) == 0


async def test_preferences_choose_per_kind(client: Client, board: Personas, mailer: Mailer) -> None:
    await client.login(board.otto.email)
    page = await client.get("/account")
    assert 'id="notifications"' in page.text and "New comments on ideas I follow" in page.text
    response = await client.post(
        "/account",
        {"name": "Otto Operator", "department_id": str(board.operations),
         "notify_status_changed": "off", "notify_new_comment": "email"},
    )  # fmt: skip
    assert response.status_code == 303
    bad = await client.post(
        "/account",
        {"name": "Otto Renamed", "department_id": str(board.operations),
         "notify_status_changed": "loud"},
    )  # fmt: skip
    assert bad.status_code == 422 and "Choose one of the options." in bad.text
    assert 'value="Otto Renamed"' in bad.text

    idea = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await update(board, idea, "planned", "Soon.")
    await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Thanks all"))
    heard = await Notification.select(Notification.kind, Notification.emailed).where(
        Notification.account == board.otto.id
    )
    assert heard == [{"kind": "new_comment", "emailed": "pending"}]


async def test_mark_read_one_and_all(client: Client, board: Personas) -> None:
    first = await make_idea(board.mia, board.operations, title="First")
    second = await make_idea(board.mia, board.operations, title="Second")
    for idea in (first, second):
        await votes.set_vote(board.otto.actor, idea, voted=True)
        await update(board, idea, "under_review", "Looking.")
    rows = await Notification.select(Notification.id).where(Notification.account == board.otto.id)
    await client.login(board.otto.email)
    page = await client.get("/notifications")
    assert f'href="/notifications/{rows[0]["id"]}"' in page.text  # a link, not a form
    opened = await client.get(f"/notifications/{rows[0]['id']}")
    assert opened.status_code == 303 and opened.headers["location"] == f"/ideas/{first}"
    assert await notifications.count_unread(board.otto.id) == 1
    # Someone else's notification answers as a missing one, and stays unread.
    mia_row = (
        await Notification.select(Notification.id)
        .where(Notification.account == board.mia.id)
        .first()
    )
    assert (await client.get(f"/notifications/{mia_row['id']}")).status_code == 404
    assert (await client.get("/notifications/99999")).status_code == 404
    assert await notifications.count_unread(board.mia.id) == 2
    assert (await client.post("/notifications/read", {})).status_code == 303
    assert await notifications.count_unread(board.otto.id) == 0
    assert "No unread notifications." in (await client.get("/notifications?show=unread")).text


async def test_deactivated_people_are_not_notified(board: Personas, mailer: Mailer) -> None:
    idea = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await User.update({User.active: False}).where(User.id == board.otto.id)
    await update(board, idea, "planned", "Soon.")
    heard = await Notification.select(Notification.account)
    assert heard == [{"account": board.mia.id}]
    await email_notifications(mailer, delay=timedelta(0))
    assert await OutboxEmail.count() == 1


async def test_anonymous_authors_never_appear_in_notifications(
    board: Personas, mailer: Mailer, sink: Sink
) -> None:
    from ideaboard.services import ideas

    idea = await ideas.create_idea(
        board.mia.actor,
        ideas.IdeaInput(title="Salary bands", body="Publish them.",
                        department_id=str(board.operations), anonymous=True),
    )  # fmt: skip
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await update(board, idea, "planned", "We will.")
    await email_notifications(mailer, delay=timedelta(0))
    await mailer.deliver()
    to_others = [m for m in sink.messages if m["To"] != board.mia.email]
    assert [m["To"] for m in to_others] == [board.otto.email]
    for message in to_others:
        text, html = parts(message)
        assert "Mia" not in text and "Mia" not in html and "Mia" not in message["Subject"]


async def test_a_status_update_email_carries_the_message_and_stops_in_one_click(
    client: Client, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    client.http._transport.app.state.mailer = mailer  # type: ignore[attr-defined]
    idea = await make_idea(board.mia, board.operations, title="Covered bike racks")
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await update(board, idea, "planned", "Ordered for **spring**: 40 places by the gate.")
    assert await email_notifications(mailer, delay=timedelta(0)) == 2
    await mailer.deliver()
    to_otto = next(m for m in sink.messages if m["To"] == board.otto.email)
    text, html = parts(to_otto)
    assert "Ordered for spring: 40 places by the gate." in text
    assert "New → Planned, Ada Admin wrote:" in text
    assert "<strong>spring</strong>" in html and "New → Planned" in html
    # One click stops these emails (RFC 8058), and only these: the bell keeps them.
    assert to_otto["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = "".join(str(to_otto["List-Unsubscribe"]).split()).strip("<>")
    assert (
        link.startswith("https://ideas.acme.example/unsubscribe/") and "from=status_changed" in link
    )
    path = link.removeprefix("https://ideas.acme.example")
    page = await client.get(path)
    assert page.status_code == 200 and "Status updates on ideas I follow" in page.text
    one_click = await client.http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "You are unsubscribed" in one_click.text
    prefs = await User.select(User.notification_prefs).where(User.id == board.otto.id).first()
    assert notifications.parse_prefs(prefs["notification_prefs"]) == {"status_changed": "app"}
    await update(board, idea, "in_progress", "Digging starts Monday.")
    heard = await Notification.select(Notification.emailed).where(
        Notification.account == board.otto.id
    ).order_by(Notification.id)  # fmt: skip
    assert [row["emailed"] for row in heard] == ["sent", "no"]  # in the bell, not by email
    # A link for another person, or another kind, is not genuine.
    assert (
        await client.get(path.replace("from=status_changed", "from=new_comment"))
    ).status_code == 404
    assert (
        await client.get(path.replace("from=status_changed", "from=nonsense"))
    ).status_code == 404


async def test_quick_updates_on_one_idea_are_one_email_with_the_latest(
    board: Personas, mailer: Mailer, sink: Sink
) -> None:
    from ideaboard.services.clock import now

    idea = await make_idea(board.mia, board.operations, title="Covered bike racks")
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await update(board, idea, "planned", "Ordered for sprnig.")
    await update(board, idea, "planned", "Ordered for spring (typo).")
    delay = timedelta(minutes=3)
    # Too fresh: nothing is mailed yet.
    assert await email_notifications(mailer, delay=delay) == 0
    later = now() + delay
    assert await email_notifications(mailer, delay=delay, moment=later) == 2  # Mia and Otto
    assert await email_notifications(mailer, delay=delay, moment=later) == 0
    await mailer.deliver()
    to_otto = [m for m in sink.messages if m["To"] == board.otto.email]
    assert len(to_otto) == 1
    text, _ = parts(to_otto[0])
    assert "Ordered for spring (typo)." in text and "sprnig" not in text
    assert "1 earlier notification about this idea" in text
    # Both stay in the bell.
    assert len((await notifications.list_notifications(board.otto.id)).notifications) == 2


async def test_a_merge_undone_within_the_delay_sends_no_email(
    board: Personas, mailer: Mailer
) -> None:
    from ideaboard.services import merges
    from ideaboard.services.clock import now

    target = await make_idea(board.mia, board.operations, title="Shared calendar")
    duplicate = await make_idea(board.otto, board.operations, title="Dock calendar")
    for person in (board.mia, board.otto):
        await votes.set_vote(person.actor, duplicate, voted=True)
    await merges.merge_ideas(board.mo.actor, duplicate, str(target))
    await merges.unmerge_idea(board.mo.actor, duplicate)
    assert await email_notifications(mailer, moment=now() + timedelta(hours=1)) == 0
    assert await OutboxEmail.count() == 0
