"""Hidden means hidden on every path: the visibility matrix.

Every route that acts on an idea, a comment or an edit (taken from the route list, so a
new one fails `test_every_route_on_an_item_is_in_the_matrix` until it joins), for
every state that hides the item, for every kind of person:

- someone who may not see the item gets exactly the answer a missing item gets, and
  nothing changes: no row anywhere, so no vote, follow, notification, email or audit line;
- someone who may see it (its author, moderators, admins) may get a refusal or act, but
  nobody else is ever told: every notification written goes to a person who may see it;
- on a duplicate merged into an idea hidden since, nothing names the hidden idea.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from conftest import Client, Person, Personas, make_idea, session_cookie_for
from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.routes import ROUTES
from ideaboard.services import comments, edits, follows, merges, notifications, users, votes
from ideaboard.tables import (
    TABLES,
    AuditEntry,
    Comment,
    DepartmentManager,
    Idea,
    Notification,
    OutboxEmail,
    PendingEdit,
    RateLimit,
)

MISSING = 2_000_000_000  # an id no row has
SECRET = "Secret target"


@dataclass(frozen=True)
class Item:
    """What a route acts on, in one state: an idea, one of its comments, an edit."""

    idea: int
    comment: int
    edit: int
    other: int  # a public idea of the same department (the other end of a merge)


# Each route's URL and form for an item; `missing` gives the same for an item that does
# not exist. Keys are route names: the matrix must name every route on an item.
Request = Callable[[Item, Personas], tuple[str, dict[str, str]]]
ROUTE_CASES: dict[str, Request] = {
    "ideas:edit": lambda i, b: (f"/ideas/{i.idea}/edit", {}),
    "ideas:update": lambda i, b: (f"/ideas/{i.idea}/edit", {
        "title": "Changed", "body": "Changed.", "department_id": str(b.operations)}),
    "ideas:vote": lambda i, b: (f"/ideas/{i.idea}/vote", {"voted": "1"}),
    "ideas:follow": lambda i, b: (f"/ideas/{i.idea}/follow", {"following": "1"}),
    "ideas:update_status": lambda i, b: (f"/ideas/{i.idea}/status", {
        "status": "planned", "message": "On it."}),
    "ideas:merge": lambda i, b: (f"/ideas/{i.idea}/merge", {"target": str(i.other)}),
    "ideas:duplicates": lambda i, b: (f"/ideas/{i.idea}/duplicates?target=Other", {}),
    # The other end: a public duplicate merged into the item.
    "ideas:merge (target)": lambda i, b: (f"/ideas/{i.other}/merge", {"target": str(i.idea)}),
    "ideas:unmerge": lambda i, b: (f"/ideas/{i.idea}/unmerge", {}),
    "ideas:flag": lambda i, b: (f"/ideas/{i.idea}/flag", {"reason": "Off-topic."}),
    "ideas:flag (comment)": lambda i, b: (f"/ideas/{i.idea}/flag", {
        "reason": "Rude.", "comment_id": str(i.comment)}),
    "ideas:flag_comment": lambda i, b: (f"/ideas/{i.idea}/comments/{i.comment}/flag", {}),
    "comments:create": lambda i, b: (f"/ideas/{i.idea}/comments", {"body": "Me too."}),
    "comments:edit": lambda i, b: (f"/comments/{i.comment}/edit", {}),
    "comments:update": lambda i, b: (f"/comments/{i.comment}/edit", {"body": "Changed."}),
    "comments:delete": lambda i, b: (f"/comments/{i.comment}/delete", {}),
    "triage:save": lambda i, b: (f"/triage/ideas/{i.idea}", {
        "owner": "mo@example.com", "status": "planned", "message": "Routed."}),
    "triage:bulk": lambda i, b: ("/triage/bulk", {
        "idea_ids": str(i.idea), "bulk_owner": "mo@example.com"}),
    "moderation:approve_idea": lambda i, b: (f"/moderation/ideas/{i.idea}/approve", {}),
    "moderation:reject_idea": lambda i, b: (f"/moderation/ideas/{i.idea}/reject", {
        "reason": "No."}),
    "moderation:hide_idea": lambda i, b: (f"/moderation/ideas/{i.idea}/hide", {}),
    "moderation:restore_idea": lambda i, b: (f"/moderation/ideas/{i.idea}/restore", {}),
    "moderation:dismiss_idea_flags": lambda i, b: (f"/moderation/ideas/{i.idea}/dismiss", {}),
    "moderation:approve_comment": lambda i, b: (f"/moderation/comments/{i.comment}/approve", {}),
    "moderation:reject_comment": lambda i, b: (f"/moderation/comments/{i.comment}/reject", {
        "reason": "No."}),
    "moderation:hide_comment": lambda i, b: (f"/moderation/comments/{i.comment}/hide", {}),
    "moderation:restore_comment": lambda i, b: (f"/moderation/comments/{i.comment}/restore", {}),
    "moderation:dismiss_comment_flags": lambda i, b: (
        f"/moderation/comments/{i.comment}/dismiss", {}),
    "moderation:approve_edit": lambda i, b: (f"/moderation/edits/{i.edit}/approve", {}),
    "moderation:reject_edit": lambda i, b: (f"/moderation/edits/{i.edit}/reject", {
        "reason": "No."}),
}  # fmt: skip
# Routes on an item that are no one's to hide it from.
NOT_ON_HIDDEN_ITEMS = {
    "ideas:show": "the idea page: tested in test_moderation and test_xss",
    "notifications:open": "a person's own notification: tested in test_notifications",
    "accounts:unsubscribe_form": "a person, not an item",
    "accounts:unsubscribe": "a person, not an item",
    "admin:remove_manager": "a person, not an item",
    "admin:set_role": "a person, not an item",
    "admin:set_active": "a person, not an item",
    "admin:retry_email": "an email in the outbox, admins only",
}

STATES = ["hidden", "pending", "rejected", "hidden comment", "pending comment",
          "deleted comment", "merged"]  # fmt: skip
ROLES = ["member", "owner", "manager", "author", "moderator", "admin"]


def test_every_route_on_an_item_is_in_the_matrix() -> None:
    named = {name.split(" (")[0] for name in ROUTE_CASES}
    on_items = {
        route.name
        for route in ROUTES
        if re.search(r"\{(idea_id|comment_id|edit_id)", next(iter(route.paths)))
        or route.name == "triage:bulk"
    }
    assert on_items - named - set(NOT_ON_HIDDEN_ITEMS) == set(), "add them to ROUTE_CASES"


async def _person(board: Personas, name: str, email: str) -> Person:
    async with write_transaction():
        user_id = await users.insert_user(
            name=name, email=email, password_hash="x", department_id=board.it, role=Role.MEMBER
        )
    return Person(user_id, email, name, board.it)


async def _item(board: Personas, state: str, route: str, n: int) -> Item:
    """A fresh idea by Mia for Operations, owned by Otto, followed and voted for by Otto,
    with a comment by Mo and an edit waiting for a moderator; then put in `state`."""
    title = f"Idea {n} for {route}"
    other = await make_idea(board.otto, board.operations, title=f"Other {n}")
    idea = await make_idea(board.mia, board.operations, title=title)
    await Idea.update({Idea.owner: board.otto.id}).where(Idea.id == idea)
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await follows.set_following(board.ada.actor, idea, following=True)
    comment = await comments.add_comment(board.mo.actor, idea, comments.CommentInput("A note."))
    async with write_transaction():
        await edits.hold_idea_edit(board.mia.actor, idea, title="Edited", body="Edited.",
                                   department_id=board.operations)  # fmt: skip
    edit = (await PendingEdit.select(PendingEdit.id).where(PendingEdit.idea == idea).first())["id"]
    if route == "ideas:unmerge" or state == "merged":
        target = other if state != "merged" else await make_idea(
            board.otto, board.operations, title=f"{SECRET} {n}")  # fmt: skip
        await merges.merge_ideas(board.ada.actor, idea, str(target))
        if state == "merged":
            await Idea.update({Idea.hidden: True}).where(Idea.id == target)
    if state == "hidden":
        await Idea.update({Idea.hidden: True}).where(Idea.id == idea)
    elif state in {"pending", "rejected"}:
        await Idea.update({Idea.approval: state}).where(Idea.id == idea)
    elif state == "hidden comment":
        await Comment.update({Comment.hidden: True}).where(Comment.id == comment)
    elif state == "pending comment":
        await Comment.update({Comment.approval: "pending"}).where(Comment.id == comment)
    elif state == "deleted comment":
        await Comment.delete().where(Comment.id == comment)
    return Item(idea=idea, comment=comment, edit=edit, other=other)


def _applies(route: str, state: str) -> bool:
    """Comment states concern the routes on a comment; the others, every route."""
    on_comment = "comment" in route and route not in {"comments:create"}
    return on_comment or "comment" not in state


async def _snapshot() -> dict[str, object]:
    """Every table's rows but the rate limits' (an attempt counts, on a missing item too)."""
    counts = {t._meta.tablename: await t.count() for t in TABLES if t is not RateLimit}
    ideas = await Idea.select(
        Idea.id, Idea.title, Idea.status, Idea.owner, Idea.department, Idea.vote_count,
        Idea.comment_count, Idea.hidden, Idea.approval, Idea.merged_into,
    ).order_by(Idea.id)  # fmt: skip
    return {"counts": counts, "ideas": ideas}


def _viewers(state: str, board: Personas) -> set[int]:
    """Who may see the item in this state: a hidden or waiting idea its author (Mia),
    moderators and admins; a hidden or waiting comment its author (Mo) and moderators;
    a deleted comment nobody; a merged duplicate everyone."""
    moderators = {board.mo.id, board.ada.id}
    return {
        "hidden": {board.mia.id} | moderators,
        "pending": {board.mia.id} | moderators,
        "rejected": {board.mia.id} | moderators,
        "hidden comment": moderators,
        "pending comment": moderators,
        "deleted comment": set(),
    }.get(state, {board.mia.id, board.otto.id} | moderators)


async def _last_notification() -> int:
    row = await Notification.select(Notification.id).order_by(Notification.id, ascending=False)
    return row[0]["id"] if row else 0


@pytest.mark.parametrize("role", ROLES)
async def test_hidden_items_answer_as_missing_ones_and_tell_nobody(
    client: Client, board: Personas, role: str
) -> None:
    manager = await _person(board, "Hana Here", "hana@example.com")
    member = await _person(board, "Mel Member", "mel@example.com")
    async with write_transaction():
        await DepartmentManager.insert(
            DepartmentManager(department=board.operations, manager=manager.id)
        )
    who = {"member": member, "owner": board.otto, "manager": manager, "author": board.mia,
           "moderator": board.mo, "admin": board.ada}[role]  # fmt: skip
    await client.use_session(await session_cookie_for(who.id))
    n = 0
    for state in STATES:
        for route, case in ROUTE_CASES.items():
            if not _applies(route, state):
                continue
            n += 1
            item = await _item(board, state, route, n)
            sees = who.id in _viewers(state, board)
            before = await _snapshot()
            last_notification = await _last_notification()
            url, form = case(item, board)
            get = route in {"ideas:edit", "ideas:flag_comment", "comments:edit", "ideas:duplicates"}
            answer = await (client.get(url) if get else client.post(url, form))
            where = f"{role} {route} on a {state} item: {answer.status_code}"
            if state == "merged":
                # Everyone sees the duplicate; nothing names the idea hidden since to
                # anyone but its author (Otto) and moderators.
                assert answer.status_code < 500, where
                if who.id not in {board.otto.id, board.mo.id, board.ada.id}:
                    assert SECRET not in answer.text, where
                for person in (board.mia, member, manager):
                    page = await notifications.list_notifications(person.id)
                    assert not [n for n in page.notifications if SECRET in n.text], where
                continue
            if not sees:
                missing = Item(idea=MISSING, comment=MISSING, edit=MISSING, other=item.other)
                url_missing, form_missing = case(missing, board)
                expected = await (
                    client.get(url_missing) if get else client.post(url_missing, form_missing)
                )
                assert answer.status_code == expected.status_code, where
                assert answer.status_code in {403, 404, 422}, where
                assert await _snapshot() == before, where
                continue
            # Those who may see it: whatever they did, only people who may see it hear.
            assert answer.status_code < 500, where
            told = await Notification.select(Notification.account).where(
                Notification.id > last_notification
            )
            hidden_now = (
                await Idea.select(Idea.hidden, Idea.approval).where(Idea.id == item.idea).first()
            )
            if hidden_now["hidden"] or hidden_now["approval"] != "approved":
                assert {row["account"] for row in told} <= _viewers(state, board), where
    assert n > 100


async def test_notifications_written_before_an_idea_was_hidden_are_not_shown_or_mailed(
    client: Client, board: Personas, mailer: object
) -> None:
    from ideaboard.mail.mailer import Mailer
    from ideaboard.services.notification_emails import email_notifications

    assert isinstance(mailer, Mailer)
    idea = await make_idea(board.mia, board.operations, title="Soon hidden")
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await comments.add_comment(board.mia.actor, idea, comments.CommentInput("Any news?"))
    assert await Notification.count().where(Notification.account == board.otto.id) == 1
    await Idea.update({Idea.hidden: True}).where(Idea.id == idea)

    await client.login(board.otto.email)
    page = await client.get("/notifications")
    assert "Soon hidden" not in page.text and "Nothing yet" in page.text
    assert 'aria-label="Notifications"' in page.text  # no unread count in the bell
    queued = await email_notifications(mailer, delay=timedelta(0))
    assert queued == 0 and await OutboxEmail.count() == 0
    # Restored: it is shown again (the idea is everyone's once more).
    await Idea.update({Idea.hidden: False}).where(Idea.id == idea)
    assert "Soon hidden" in (await client.get("/notifications")).text


@pytest.mark.parametrize("state", ["hidden", "pending", "rejected"])
async def test_nobody_merges_into_an_idea_others_cannot_see(
    client: Client, board: Personas, state: str
) -> None:
    target = await make_idea(board.mia, board.operations, title="Not for everyone")
    duplicate = await make_idea(board.otto, board.operations, title="The duplicate")
    await votes.set_vote(board.mia.actor, duplicate, voted=True)
    if state == "hidden":
        await Idea.update({Idea.hidden: True}).where(Idea.id == target)
    else:
        await Idea.update({Idea.approval: state}).where(Idea.id == target)
    await client.login(board.ada.email)  # admins see it, and still may not merge into it
    answer = await client.post(f"/ideas/{duplicate}/merge", {"target": str(target)})
    assert answer.status_code == 422
    assert "merge into an idea everyone can see" in answer.text
    row = await Idea.select(Idea.merged_into, Idea.vote_count).where(Idea.id == duplicate).first()
    assert row == {"merged_into": None, "vote_count": 1}
    assert await AuditEntry.count() == 0 and await Notification.count() == 0


async def test_a_member_posting_to_the_triage_gets_no_row_and_no_owners_email(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.mia, board.operations, title="Public idea")
    await Idea.update({Idea.owner: board.otto.id}).where(Idea.id == idea)
    await client.login(board.mia.email)  # its author, but neither its manager nor its owner
    for form in ({}, {"owner": ""}, {"message": ""}):
        answer = await client.post(f"/triage/ideas/{idea}", form, htmx=True)
        assert answer.status_code == 403, form
        assert board.otto.email not in answer.text and "triage-row" not in answer.text
    assert (await Idea.select(Idea.owner).where(Idea.id == idea).first())["owner"] == board.otto.id
