"""Official status updates and following ideas."""

from __future__ import annotations

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role, Status, StatusRole, next_statuses
from ideaboard.tables import DepartmentManager, Idea, StatusChange, Subscription


async def test_moderator_posts_a_status_update_that_followers_see_on_the_timeline(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.mo.email)
    page = await client.get(f"/ideas/{idea}")
    assert "Post update" in page.text and 'name="status"' in page.text
    response = await client.post(
        f"/ideas/{idea}/status", {"status": "planned", "message": "Booked for *March*."}
    )
    assert response.status_code == 303
    page = await client.get(f"/ideas/{idea}")
    assert 'New <span aria-hidden="true">→</span>' in page.text
    assert "<em>March</em>" in page.text
    row = await Idea.select(Idea.status).where(Idea.id == idea).first()
    assert row["status"] == "planned"


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"status": "planned", "message": ""}, "Write an update message"),
        ({"status": "declined", "message": "  "}, "Say why it is declined"),
        ({"status": "duplicate", "message": "Same as #3"}, "Choose one of the statuses offered."),
        ({"status": "launched", "message": "Yes"}, "Choose one of the statuses offered."),
        ({"status": "new", "message": ""}, "Write an update message"),
        ({"status": "planned", "message": "x" * 5001}, "at most 5,000"),
        ({"status": "planned", "message": "bad \x00 byte"}, "characters that are not allowed"),
    ],
)
async def test_status_update_bad_input_is_explained_and_kept(
    client: Client, board: Personas, form: dict[str, str], message: str
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.ada.email)
    response = await client.post(f"/ideas/{idea}/status", form)
    assert response.status_code == 422
    assert message in response.text
    assert await StatusChange.count() == 0
    if form["message"].strip() and "\x00" not in form["message"] and len(form["message"]) < 100:
        assert form["message"] in response.text


async def test_members_cannot_update_status_but_owners_and_managers_can(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.mia.email)  # the author is not the owner
    assert "Post update" not in (await client.get(f"/ideas/{idea}")).text
    refused = await client.post(f"/ideas/{idea}/status", {"status": "planned", "message": "Me"})
    assert refused.status_code == 403
    await Idea.update({Idea.owner: board.mia.id}).where(Idea.id == idea)
    owned = await client.post(f"/ideas/{idea}/status", {"status": "done", "message": "Shipped"})
    assert owned.status_code == 303
    # Closed: the owner cannot reopen it; a manager of its department can.
    again = await client.post(f"/ideas/{idea}/status", {"status": "planned", "message": "Oops"})
    assert again.status_code == 422
    async with write_transaction():
        await DepartmentManager.insert(
            DepartmentManager(department=board.operations, manager=board.otto.id)
        )
    await client.logout()
    await client.login(board.otto.email)
    reopened = await client.post(
        f"/ideas/{idea}/status", {"status": "planned", "message": "Reopened: not finished"}
    )
    assert reopened.status_code == 303
    assert await StatusChange.count() == 2


def test_next_statuses_follow_the_rules() -> None:
    member = Actor(1, Role.MEMBER, 1)
    moderator = Actor(2, Role.MODERATOR, 1)
    admin = Actor(3, Role.ADMIN, 1)
    nobody, owner, manager = (
        StatusRole(),
        StatusRole(is_owner=True),
        StatusRole(manages_department=True),
    )
    assert next_statuses(Status.NEW, member, nobody) == ()
    for actor, role in ((member, owner), (member, manager), (moderator, nobody), (admin, nobody)):
        options = next_statuses(Status.NEW, actor, role)
        assert Status.NEW not in options and Status.DUPLICATE not in options
        assert Status.DECLINED in options and Status.DONE in options
    assert next_statuses(Status.DONE, member, owner) == ()
    assert next_statuses(Status.DONE, moderator, nobody) == ()
    assert Status.PLANNED in next_statuses(Status.DONE, member, manager)
    assert Status.PLANNED in next_statuses(Status.DECLINED, admin, nobody)


async def test_authors_voters_and_commenters_follow_and_can_stop(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.otto.email)
    page = await client.get(f"/ideas/{idea}")
    assert 'aria-pressed="false">Follow<' in page.text
    await client.post(f"/ideas/{idea}/vote", {"voted": "1"})
    page = await client.get(f"/ideas/{idea}")
    assert 'aria-pressed="true">Following<' in page.text
    assert (await client.post(f"/ideas/{idea}/follow", {"following": "0"})).status_code == 303
    assert 'aria-pressed="false">Follow<' in (await client.get(f"/ideas/{idea}")).text
    await client.post(f"/ideas/{idea}/comments", {"body": "Count me in"})
    followers = {row["account"] for row in await Subscription.select(Subscription.account)}
    assert followers == {board.mia.id, board.otto.id}
    assert (await client.post("/ideas/99999/follow", {"following": "1"})).status_code == 404
