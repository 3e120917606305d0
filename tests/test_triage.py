"""The triage: lanes, routing to owners, the routing threshold, re-routing, bulk actions."""

from __future__ import annotations

import asyncio

import pytest

from conftest import Client, Person, Personas, make_idea
from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.services import notifications, routing, triage, users, votes
from ideaboard.tables import (
    AuditEntry,
    Department,
    DepartmentManager,
    Idea,
    StatusChange,
)


async def make_manager(person: Person, department_id: int) -> None:
    async with write_transaction():
        await DepartmentManager.insert(
            DepartmentManager(department=department_id, manager=person.id)
        )


async def notifications_of(person: Person) -> list[dict[str, object]]:
    """What the person's notifications say, oldest first."""
    page = await notifications.list_notifications(person.id)
    return [
        {"kind": n.kind.value, "text": n.text, "idea": n.idea_id}
        for n in reversed(page.notifications)
    ]


async def test_manager_routes_an_idea_and_the_owner_and_followers_hear_of_it(
    client: Client, board: Personas
) -> None:
    await make_manager(board.otto, board.operations)
    idea = await make_idea(board.mia, board.operations, title="Night shift canteen")
    await client.login(board.otto.email)
    page = await client.get("/triage")
    assert page.status_code == 200
    needs_owner = page.text.split('id="lane-needs_owner"')[1].split('id="lane-routed"')[0]
    assert "Night shift canteen" in needs_owner
    assert 'href="/triage"' in page.text and ">Triage<" in page.text  # the header link

    response = await client.post(
        f"/triage/ideas/{idea}",
        {"owner": "Mo Moderator <mo@example.com>", "status": "planned",
         "message": "Mo will run it from March.", "back": "/triage"},
    )  # fmt: skip
    assert response.status_code == 303
    row = (
        await Idea.select(Idea.owner, Idea.status, Idea.last_update_at)
        .where(Idea.id == idea)
        .first()
    )
    assert row["owner"] == board.mo.id and row["status"] == "planned"
    assert row["last_update_at"] is not None
    assert await StatusChange.count().where(StatusChange.idea == idea) == 1

    mo_heard = await notifications_of(board.mo)
    assert [n["kind"] for n in mo_heard] == ["routed_to_you"]
    assert mo_heard[0]["text"] == "Otto Operator routed “Night shift canteen” to you."
    mia_heard = await notifications_of(board.mia)  # the author follows her idea
    assert [n["kind"] for n in mia_heard] == ["status_changed"]
    assert "moved “Night shift canteen” to Planned" in str(mia_heard[0]["text"])
    assert await notifications_of(board.otto) == []  # never told of one's own action

    page = await client.get("/triage")
    routed = page.text.split('id="lane-routed"')[1].split('id="lane-closed"')[0]
    assert "Night shift canteen" in routed and "Owner: <bdi>Mo Moderator</bdi>" in routed
    audit = await AuditEntry.select(AuditEntry.action).where(AuditEntry.target_id == idea)
    assert {a["action"] for a in audit} == {"idea.route", "idea.status"}


async def test_htmx_save_answers_with_the_row(client: Client, board: Personas) -> None:
    await make_manager(board.otto, board.operations)
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.otto.email)
    response = await client.post(
        f"/triage/ideas/{idea}", {"owner": "mia@example.com", "message": ""},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.text.lstrip().startswith("{% from") is False
    assert f'id="idea-{idea}"' in response.text and "Saved." in response.text
    assert "<html" not in response.text
    assert 'value="Mia Member &lt;mia@example.com&gt;"' in response.text


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"owner": "nobody@example.com"}, "owner", "No one on the board has the email"),
        ({"owner": "Nobody Here"}, "owner", "No one on the board is called Nobody Here"),
        ({"owner": "", "status": "planned", "message": ""}, "message", "Write an update message"),
        ({"status": "declined", "message": " "}, "message", "Say why it is declined"),
        ({"status": "launched", "message": "x"}, "status", "Choose one of the statuses offered."),
        ({"department_id": "99999"}, "department_id", "Choose one of the departments offered."),
        ({"message": "x" * 5001}, "message", "at most 5,000"),
    ],
)
async def test_bad_triage_input_is_explained_and_kept(
    client: Client, board: Personas, form: dict[str, str], field: str, message: str
) -> None:
    await make_manager(board.otto, board.operations)
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.otto.email)
    for htmx in (False, True):
        response = await client.post(
            f"/triage/ideas/{idea}", form, headers={"HX-Request": "true"} if htmx else {}
        )
        assert response.status_code == 422
        assert message in response.text
        assert f'id="{field}-{idea}-error"' in response.text
        kept = form.get("owner") or form.get("message", "")
        if kept.strip() and len(kept) < 100:
            assert kept in response.text
    row = await Idea.select(Idea.owner, Idea.status).where(Idea.id == idea).first()
    assert row == {"owner": None, "status": "new"}
    assert await StatusChange.count() == 0


async def test_owner_by_unique_name_and_ambiguous_names(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.ada.email)
    assert (
        await client.post(f"/triage/ideas/{idea}", {"owner": "otto operator"})
    ).status_code == 303
    assert (await Idea.select(Idea.owner).first())["owner"] == board.otto.id
    async with write_transaction():
        await users.insert_user(
            name="Otto Operator", email="otto2@example.com", password_hash="x",
            department_id=board.it, role=Role.MEMBER,
        )  # fmt: skip
    response = await client.post(f"/triage/ideas/{idea}", {"owner": "Otto Operator"})
    assert response.status_code == 422
    assert "Several people are called Otto Operator: type their email instead." in response.text
    response = await client.post(f"/triage/ideas/{idea}", {"owner": "OTTO2@example.com"})
    assert response.status_code == 303
    # Blank takes the owner away: the idea needs one again.
    assert (await client.post(f"/triage/ideas/{idea}", {"owner": ""})).status_code == 303
    assert (await Idea.select(Idea.owner).first())["owner"] is None


async def test_the_owner_answers_but_cannot_reassign(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await Idea.update({Idea.owner: board.otto.id}).where(Idea.id == idea)
    await client.login(board.otto.email)
    page = await client.get("/triage?owner=me")
    assert "Shared calendar for the loading docks" in page.text
    answered = await client.post(
        f"/triage/ideas/{idea}", {"owner": "Otto Operator <otto@example.com>",
                                  "status": "in_progress", "message": "Ordering the screens."},
    )  # fmt: skip
    assert answered.status_code == 303
    refused = await client.post(f"/triage/ideas/{idea}", {"owner": "mia@example.com"})
    assert refused.status_code == 403
    assert (await Idea.select(Idea.owner).first())["owner"] == board.otto.id
    # An owner's own updates are not moderator actions: nothing in the audit log.
    assert await AuditEntry.count() == 0


async def test_members_see_only_their_own_queue(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.mia.email)
    page = await client.get("/triage")
    assert page.status_code == 200
    assert "My ideas to handle" in page.text and 'id="lane-needs_owner"' not in page.text
    refused = await client.post(f"/triage/ideas/{idea}", {"owner": "mia@example.com"})
    assert refused.status_code == 403
    assert (await client.get("/triage/people?owner=ot")).status_code == 403


async def test_people_suggestions_for_the_owner_field(client: Client, board: Personas) -> None:
    await make_manager(board.otto, board.operations)
    await client.login(board.otto.email)
    response = await client.get("/triage/people?owner=mi", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert (
        '<option value="Mia Member &lt;mia@example.com&gt;">Customer Service</option>'
        in response.text
    )
    assert "Otto" not in response.text
    # LIKE wildcards are taken literally.
    assert "<option" not in (await client.get("/triage/people?owner=%25%25")).text


async def test_reaching_the_threshold_puts_the_idea_on_top_and_tells_managers_once(
    client: Client, board: Personas
) -> None:
    await make_manager(board.otto, board.operations)
    await Department.update({Department.routing_threshold: 2}).where(
        Department.id == board.operations
    )
    older = await make_idea(board.ada, board.operations, title="Older idea with one vote")
    await votes.set_vote(board.mo.actor, older, voted=True)
    idea = await make_idea(board.ada, board.operations, title="Rising idea")
    await votes.set_vote(board.mia.actor, idea, voted=True)
    assert await notifications_of(board.otto) == []
    await votes.set_vote(board.mo.actor, idea, voted=True)
    heard = await notifications_of(board.otto)
    assert [(n["kind"], n["idea"]) for n in heard] == [("needs_owner", idea)]
    assert heard[0]["text"] == "“Rising idea” reached 2 votes: route it to an owner."
    # Taking a vote back and giving it again does not repeat the news.
    await votes.set_vote(board.mo.actor, idea, voted=False)
    await votes.set_vote(board.mo.actor, idea, voted=True)
    assert len(await notifications_of(board.otto)) == 1

    await client.login(board.otto.email)
    page = await client.get("/triage")
    lane = page.text.split('id="lane-needs_owner"')[1].split('id="lane-routed"')[0]
    assert lane.index("Rising idea") < lane.index("Older idea with one vote")
    assert "Reached 2 votes: route it" in lane


async def test_threshold_is_set_by_managers_and_admins_only(
    client: Client, board: Personas
) -> None:
    await make_manager(board.otto, board.operations)
    idea = await make_idea(board.mia, board.operations)
    await votes.set_vote(board.mo.actor, idea, voted=True)
    await client.login(board.otto.email)
    for bad in ("0", "ten", "", "-3", "1000001", "٣"):
        response = await client.post(
            f"/triage/departments/{board.operations}/threshold", {"threshold": bad}
        )
        assert response.status_code == 422, bad
        assert "Write a whole number of votes from 1 to 100,000." in response.text
    ok = await client.post(f"/triage/departments/{board.operations}/threshold", {"threshold": "1"})
    assert ok.status_code == 303
    row = await Idea.select(Idea.needs_owner_since).where(Idea.id == idea).first()
    assert row["needs_owner_since"] is not None  # already past the new threshold
    other = await client.post(f"/triage/departments/{board.it}/threshold", {"threshold": "3"})
    assert other.status_code == 403
    await client.logout()
    await client.login(board.mo.email)  # moderators triage, but thresholds are the managers'
    assert (
        await client.post(f"/triage/departments/{board.it}/threshold", {"threshold": "3"})
    ).status_code == 403
    entry = (
        await AuditEntry.select(AuditEntry.summary)
        .where(AuditEntry.action == "department.threshold")
        .first()
    )
    assert entry["summary"] == "Operations: routing threshold 10 → 1 votes"


async def test_reroute_tells_the_new_departments_managers(client: Client, board: Personas) -> None:
    await make_manager(board.otto, board.operations)
    await make_manager(board.mo, board.it)
    idea = await make_idea(board.mia, board.operations, title="Laptops for drivers")
    await client.login(board.otto.email)
    response = await client.post(f"/triage/ideas/{idea}", {"department_id": str(board.it)})
    assert response.status_code == 303
    assert (await Idea.select(Idea.department).first())["department"] == board.it
    heard = await notifications_of(board.mo)
    assert [n["kind"] for n in heard] == ["rerouted"]
    assert (
        heard[0]["text"]
        == "Otto Operator sent “Laptops for drivers” to IT: it needs an owner there."
    )
    # Otto no longer manages it: the idea left his lanes.
    lanes = (await client.get("/triage")).text.split('class="lanes"')[1]
    assert "Laptops for drivers" not in lanes


async def test_bulk_actions_apply_to_each_selected_idea(client: Client, board: Personas) -> None:
    first = await make_idea(board.mia, board.operations, title="First")
    second = await make_idea(board.mia, board.operations, title="Second")
    await client.login(board.ada.email)
    none_selected = await client.post(
        "/triage/bulk", {"bulk_status": "planned", "bulk_message": "x"}
    )
    assert none_selected.status_code == 422 and "Select at least one idea." in none_selected.text
    no_message = await client.post(
        "/triage/bulk", {"idea_ids": [str(first), str(second)], "bulk_status": "planned"}
    )
    assert no_message.status_code == 422 and "Write an update message" in no_message.text
    response = await client.post(
        "/triage/bulk",
        {"idea_ids": [str(first), str(second)], "bulk_status": "under_review",
         "bulk_message": "We are looking at these this week.", "bulk_owner": "otto@example.com"},
    )  # fmt: skip
    assert response.status_code == 303
    rows = await Idea.select(Idea.status, Idea.owner).order_by(Idea.id)
    assert rows == [{"status": "under_review", "owner": board.otto.id}] * 2
    assert await StatusChange.count() == 2


async def test_two_managers_saving_at_once_keep_both_messages(board: Personas) -> None:
    await make_manager(board.otto, board.operations)
    idea = await make_idea(board.mia, board.operations)
    from_otto = routing.TriageInput(status="planned", message="From Otto")
    from_ada = routing.TriageInput(status="under_review", message="From Ada")
    await asyncio.gather(
        routing.save_triage(board.otto.actor, idea, from_otto),
        routing.save_triage(board.ada.actor, idea, from_ada),
    )
    messages = {row["message"] for row in await StatusChange.select(StatusChange.message)}
    assert messages == {"From Otto", "From Ada"}
    changes = await StatusChange.select(StatusChange.from_status, StatusChange.to_status).order_by(
        StatusChange.id
    )
    # Applied one after the other: the second started where the first ended.
    assert changes[0]["to_status"] == changes[1]["from_status"]


async def test_stale_ideas_are_marked(client: Client, board: Personas) -> None:
    from datetime import timedelta

    from ideaboard.services.clock import now

    idea = await make_idea(board.mia, board.operations, title="Forgotten idea")
    await Idea.update(
        {Idea.owner: board.otto.id, Idea.last_update_at: now() - timedelta(days=45)}
    ).where(Idea.id == idea)
    await client.login(board.ada.email)
    page = await client.get("/triage")
    assert "45 days since the last update (stale)" in page.text
    assert 'class="triage-row stale' in page.text


async def test_moderator_role_sees_every_department(board: Personas) -> None:
    departments = await triage.list_triage_departments(board.mo.actor)
    assert {d.name for d in departments} == {"Operations", "Customer Service", "IT"}
    assert not any(d.can_set_threshold for d in departments)
    assert board.mo.role is Role.MODERATOR
    assert await triage.list_triage_departments(board.mia.actor) == []
