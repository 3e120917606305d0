"""Moderation: pre-moderation, flags, hiding, the audit log, and anonymous ideas."""

from __future__ import annotations

import httpx
import pytest
from litestar import Litestar

from conftest import Client, Personas, make_idea
from ideaboard.services import comments, ideas, moderation
from ideaboard.tables import AuditEntry, Comment, Flag, Idea, Notification, Organisation


async def pre_moderation_on() -> None:
    await Organisation.update({Organisation.pre_moderation: True}, force=True)


async def test_pre_moderated_idea_waits_for_approval(client: Client, board: Personas) -> None:
    await client.login(board.ada.email)
    response = await client.post(
        "/admin",
        {"name": "Acme", "allowed_email_domains": "", "vote_budget": "", "digest_weekday": "0",
         "digest_hour": "8", "time_zone": "UTC", "pre_moderation": "1"},
    )  # fmt: skip
    assert response.status_code == 303
    await client.logout()

    await client.login(board.mia.email)
    created = await client.post(
        "/ideas", {"title": "Quiet room", "body": "A room for calls.",
                   "department_id": str(board.operations)},
    )  # fmt: skip
    assert created.status_code == 303
    idea_id = int(created.headers["location"].rsplit("/", 1)[1])
    page = await client.get(f"/ideas/{idea_id}")
    assert "Waiting for a moderator." in page.text
    assert "Quiet room" not in (await client.get("/")).text
    await client.logout()

    await client.login(board.otto.email)
    assert (await client.get(f"/ideas/{idea_id}")).status_code == 404
    assert (await client.post(f"/ideas/{idea_id}/vote", {"voted": "1"})).status_code == 404
    assert (await client.post(f"/ideas/{idea_id}/comments", {"body": "hi"})).status_code == 404
    await client.logout()

    await client.login(board.mo.email)
    queue = await client.get("/moderation")
    assert "Quiet room" in queue.text and "Awaiting approval <span" in queue.text
    rejected = await client.post(f"/moderation/ideas/{idea_id}/reject", {"reason": " "})
    assert rejected.status_code == 422
    assert "Say why it is rejected" in rejected.text
    approved = await client.post(f"/moderation/ideas/{idea_id}/approve", {})
    assert approved.status_code == 303
    await client.logout()

    await client.login(board.otto.email)
    assert "Quiet room" in (await client.get("/")).text
    heard = await Notification.select(Notification.kind).where(Notification.account == board.mia.id)
    assert heard == [{"kind": "idea_approved"}]
    rows = await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    assert [row["action"] for row in rows] == ["settings.update", "idea.approve"]


async def test_pre_moderated_comments_count_once_approved(client: Client, board: Personas) -> None:
    idea = await make_idea(board.ada, board.operations)
    await pre_moderation_on()
    comment_id = await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Yes!"))
    assert (await Idea.select(Idea.comment_count).first())["comment_count"] == 0
    assert await Notification.count() == 0
    await client.login(board.otto.email)
    assert "Yes!" not in (await client.get(f"/ideas/{idea}")).text
    await client.logout()
    await client.login(board.mia.email)
    assert "Waiting for a moderator" in (await client.get(f"/ideas/{idea}")).text
    await moderation.decide_comment(board.mo.actor, comment_id, approve=True)
    assert (await Idea.select(Idea.comment_count).first())["comment_count"] == 1
    heard = await Notification.select(Notification.account, Notification.kind)
    assert heard == [{"account": board.ada.id, "kind": "new_comment"}]  # the author follows
    # Moderators' own posts never wait.
    await comments.add_comment(board.mo.actor, idea, comments.CommentInput("Noted."))
    assert (await Idea.select(Idea.comment_count).first())["comment_count"] == 2


async def test_flag_hide_and_restore_an_idea(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations, title="Rude idea")
    await client.login(board.otto.email)
    page = await client.get(f"/ideas/{idea}")
    assert "Flag this idea" in page.text
    empty = await client.post(f"/ideas/{idea}/flag", {"reason": "   "})
    assert empty.status_code == 422 and "Reason" in empty.text
    flagged = await client.post(f"/ideas/{idea}/flag", {"reason": "Insults the drivers"})
    assert flagged.status_code == 303
    thanked = await client.get(flagged.headers["location"])
    assert "Thank you: a moderator will look at it." in thanked.text
    again = await client.post(f"/ideas/{idea}/flag", {"reason": "Really rude"})
    assert again.status_code == 422 and "already flagged" in again.text
    assert "Really rude" in again.text  # kept
    await client.logout()

    await client.login(board.mo.email)
    queue = await client.get("/moderation")
    assert "Insults the drivers" in queue.text
    hidden = await client.post(f"/moderation/ideas/{idea}/hide", {})
    assert hidden.status_code == 303
    assert await Flag.count().where(Flag.resolved_at.is_null()) == 0
    assert "Hidden by a moderator." in (await client.get(f"/ideas/{idea}")).text
    await client.logout()

    await client.login(board.otto.email)
    assert (await client.get(f"/ideas/{idea}")).status_code == 404
    assert "Rude idea" not in (await client.get("/")).text
    assert "Rude idea" not in (await client.get("/?q=rude")).text
    assert "Rude idea" not in (await client.get("/ideas/similar?title=rude idea")).text
    await client.logout()

    await client.login(board.mia.email)  # the author still sees it, marked
    assert "Hidden by a moderator." in (await client.get(f"/ideas/{idea}")).text
    await client.logout()

    await moderation.set_idea_hidden(board.mo.actor, idea, hidden=False)
    await client.login(board.otto.email)
    assert (await client.get(f"/ideas/{idea}")).status_code == 200
    actions = [
        row["action"] for row in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    ]
    assert actions == ["idea.hide", "idea.restore"]


async def test_flag_and_hide_a_comment_keeps_the_count_right(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.ada, board.operations)
    comment = await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Spam spam"))
    await client.login(board.otto.email)
    form = await client.get(f"/ideas/{idea}/comments/{comment}/flag")
    assert form.status_code == 200 and "Flag a comment" in form.text
    bad = await client.post(f"/ideas/{idea}/flag", {"comment_id": str(comment), "reason": ""})
    assert bad.status_code == 422 and "Flag a comment" in bad.text
    ok = await client.post(f"/ideas/{idea}/flag", {"comment_id": str(comment), "reason": "Spam"})
    assert ok.status_code == 303
    await client.logout()
    await client.login(board.mo.email)
    assert "Spam spam" in (await client.get("/moderation")).text
    await client.post(f"/moderation/comments/{comment}/hide", {})
    assert (await Idea.select(Idea.comment_count).first())["comment_count"] == 0
    assert (await Comment.select(Comment.hidden).first())["hidden"] is True
    await client.post(f"/moderation/comments/{comment}/restore", {})
    assert (await Idea.select(Idea.comment_count).first())["comment_count"] == 1


@pytest.mark.parametrize("email", ["mia@example.com", "otto@example.com"])
async def test_members_cannot_moderate(client: Client, board: Personas, email: str) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(email)
    assert (await client.get("/moderation")).status_code == 403
    assert (await client.post(f"/moderation/ideas/{idea}/hide", {})).status_code == 403
    assert (await Idea.select(Idea.hidden).first())["hidden"] is False


async def test_audit_log_lists_and_filters(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await moderation.set_idea_hidden(board.mo.actor, idea, hidden=True, reason="Off-topic")
    await moderation.set_idea_hidden(board.ada.actor, idea, hidden=False)
    await client.login(board.ada.email)
    page = await client.get("/admin/audit")
    assert "Hid an idea" in page.text and "Restored an idea" in page.text
    assert "Off-topic" in page.text
    only_mo = await client.get(f"/admin/audit?actor={board.mo.id}")
    assert "<td>Hid an idea</td>" in only_mo.text
    assert "<td>Restored an idea</td>" not in only_mo.text
    only_restore = await client.get("/admin/audit?action=idea.restore")
    assert "<td>Hid an idea</td>" not in only_restore.text
    assert (await client.get("/admin/audit?action=x&actor=x&before=-1")).status_code == 200
    assert (await client.get("/admin/audit?action=%00")).status_code == 400
    await client.logout()
    await client.login(board.mo.email)
    assert (await client.get("/admin/audit")).status_code == 403


async def test_anonymous_ideas_hide_the_author_from_everyone_but_moderators(
    client: Client, board: Personas
) -> None:
    idea = await ideas.create_idea(
        board.mia.actor,
        ideas.IdeaInput(title="Pay transparency", body="Publish the bands.",
                        department_id=str(board.operations), anonymous=True),
    )  # fmt: skip
    from conftest import make_idea as _  # noqa: F401 - the helper makes named ideas only

    await client.login(board.otto.email)
    for url in (f"/ideas/{idea}", "/", "/?q=transparency", "/ideas/similar?title=pay transparency"):
        text = (await client.get(url)).text
        assert f"/ideas/{idea}" in text, url
        assert "Mia Member" not in text, url
        assert "from Customer Service" not in text, url
        assert "Anonymous" in text or "similar" in url, url
    # Managers and owners do not learn it either.
    await Idea.update({Idea.owner: board.otto.id}).where(Idea.id == idea)
    text = (await client.get(f"/ideas/{idea}")).text
    assert "Mia Member" not in text
    await client.logout()
    await client.login(board.mo.email)
    text = (await client.get(f"/ideas/{idea}")).text
    assert "Proposed by <bdi>Mia Member</bdi> <em>(anonymous to others)</em>" in text
    # The board page Otto saw a moment ago is shared, but not the author's name in it.
    assert "<span><bdi>Mia Member</bdi></span>" in (await client.get("/")).text
    await client.logout()
    await client.login(board.mia.email)
    assert "(anonymous to others)" in (await client.get(f"/ideas/{idea}")).text
    assert "<span><bdi>Mia Member</bdi></span>" in (await client.get("/")).text
    await client.logout()
    await client.login(board.otto.email)
    assert "<span><bdi>Anonymous</bdi></span>" in (await client.get("/")).text


async def test_dismissing_flags_closes_them_on_the_idea_or_the_one_comment(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.ada, board.operations)
    comment = await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Fine"))
    await moderation.add_flag(board.otto.actor, idea, "Off-topic")
    await moderation.add_flag(board.otto.actor, idea, "Rude", comment_id=comment)
    await client.login(board.mo.email)
    assert (await client.post(f"/moderation/comments/{comment}/dismiss", {})).status_code == 303
    rows = await Flag.select(Flag.comment, Flag.resolution).order_by(Flag.id)
    assert rows == [
        {"comment": None, "resolution": ""},
        {"comment": comment, "resolution": "dismissed"},
    ]
    assert (await client.post(f"/moderation/ideas/{idea}/dismiss", {})).status_code == 303
    assert await Flag.count().where(Flag.resolved_at.is_null()) == 0
    assert (await client.post("/moderation/comments/99999/dismiss", {})).status_code == 404


async def test_a_shared_board_page_renders_an_anonymous_card_for_each_kind_of_reader(
    client: Client, board: Personas, http: httpx.AsyncClient, app: Litestar
) -> None:
    """Cards are rendered once per shared page; the author's own card must not be the
    one everyone else is shown, whichever of them asks first."""
    await ideas.create_idea(
        board.mia.actor,
        ideas.IdeaInput(title="Pay transparency", body="Publish the bands.",
                        department_id=str(board.operations), anonymous=True),
    )  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=http.base_url) as other:
        author, reader = client, Client(other)
        await author.login(board.mia.email)
        await reader.login(board.otto.email)
        # No write between these views, so they all read the same shared page.
        for who in (author, reader, author, reader):
            text = (await who.get("/")).text
            if who is author:
                assert "<span><bdi>Mia Member</bdi></span>" in text
                assert "from Customer Service" in text
            else:
                assert "Mia Member" not in text and "from Customer Service" not in text
                assert "<span><bdi>Anonymous</bdi></span>" in text
