"""Merging duplicates: exact vote counts with overlapping voters, and an exact undo."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Client, Person, Personas, make_idea
from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.notification_kinds import NotificationKind
from ideaboard.services import merges, notifications, users, votes
from ideaboard.tables import AuditEntry, Idea, Notification, Subscription, Vote


async def voters_of(idea_id: int) -> set[int]:
    return {row["voter"] for row in await Vote.select(Vote.voter).where(Vote.idea == idea_id)}


async def followers_of(idea_id: int) -> set[int]:
    rows = await Subscription.select(Subscription.account).where(Subscription.idea == idea_id)
    return {row["account"] for row in rows}


async def counts(idea_id: int) -> tuple[int, str]:
    row = await Idea.select(Idea.vote_count, Idea.status).where(Idea.id == idea_id).first()
    return row["vote_count"], row["status"]


async def make_people(board: Personas, how_many: int) -> list[Person]:
    people = []
    async with write_transaction():
        for n in range(how_many):
            email = f"voter{n}@example.com"
            user_id = await users.insert_user(
                name=f"Voter {n}", email=email, password_hash="x",
                department_id=board.it, role=Role.MEMBER,
            )  # fmt: skip
            people.append(Person(user_id, email, f"Voter {n}", board.it))
    return people


async def test_merge_moves_votes_once_and_unmerge_restores_them(
    client: Client, board: Personas
) -> None:
    target = await make_idea(board.ada, board.operations, title="Shared calendar")
    duplicate = await make_idea(board.mia, board.operations, title="Dock calendar")
    v1, v2, v3, v4 = await make_people(board, 4)
    for person in (v1, v2, v3):
        await votes.set_vote(person.actor, duplicate, voted=True)
    for person in (v2, v4):
        await votes.set_vote(person.actor, target, voted=True)
    await votes.set_vote(board.otto.actor, duplicate, voted=True)
    await votes.set_vote(board.otto.actor, duplicate, voted=False)  # follows, no vote

    await client.login(board.mo.email)
    response = await client.post(f"/ideas/{duplicate}/merge", {"target": f"#{target}"})
    assert response.status_code == 303
    assert await voters_of(target) == {v1.id, v2.id, v3.id, v4.id}
    assert await voters_of(duplicate) == set()
    assert await counts(target) == (4, "new")
    assert await counts(duplicate) == (0, "duplicate")
    assert {board.mia.id, board.otto.id, v1.id, v3.id} <= await followers_of(target)

    page = await client.get(f"/ideas/{duplicate}")  # its URL keeps working
    assert page.status_code == 200
    assert "This idea was merged into" in page.text and f'href="/ideas/{target}"' in page.text
    assert "Undo merge" in page.text
    [heard] = (await notifications.list_notifications(board.mia.id)).notifications
    assert heard.kind is NotificationKind.IDEA_MERGED
    assert heard.text == (
        "Your idea “Dock calendar” was merged into “Shared calendar”: its votes count there now."
    )
    # Voting is closed on the duplicate.
    refused = await client.post(f"/ideas/{duplicate}/vote", {"voted": "1"})
    assert refused.status_code == 403

    response = await client.post(f"/ideas/{duplicate}/unmerge", {})
    assert response.status_code == 303
    assert await voters_of(target) == {v2.id, v4.id}
    assert await voters_of(duplicate) == {v1.id, v2.id, v3.id}
    assert await counts(target) == (2, "new")
    assert await counts(duplicate) == (3, "new")
    assert board.otto.id not in await followers_of(target)
    assert [
        row["action"] for row in await AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id)
    ] == [
        "idea.merge",
        "idea.unmerge",
    ]
    assert "This idea was merged into" not in (await client.get(f"/ideas/{duplicate}")).text
    # Undone at once, before anyone read or was mailed it: nobody hears of either.
    assert (await notifications.list_notifications(board.mia.id)).notifications == []
    assert await Notification.count() == 0


async def test_an_undo_is_told_to_those_who_heard_of_the_merge(board: Personas) -> None:
    target = await make_idea(board.mia, board.operations, title="Shared calendar")
    duplicate = await make_idea(board.otto, board.operations, title="Dock calendar")
    await votes.set_vote(board.mia.actor, duplicate, voted=True)
    await merges.merge_ideas(board.mo.actor, duplicate, str(target))
    await notifications.mark_all_read(board.otto.id)  # the author saw it in the bell
    await merges.unmerge_idea(board.mo.actor, duplicate)
    heard = [n.text for n in (await notifications.list_notifications(board.otto.id)).notifications]
    assert heard == [
        "Mo Moderator undid the merge of “Dock calendar”: it stands on its own again.",
        "Your idea “Dock calendar” was merged into “Shared calendar”: its votes count there now.",
    ]
    # Mia had not looked yet: the merge is taken back from her bell, and the undo not sent.
    assert (await notifications.list_notifications(board.mia.id)).notifications == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("", "Write the number of the idea it duplicates"),
        ("abc", "Write the number of the idea it duplicates"),
        ("99999", "There is no idea number 99999."),
        ("SELF", "An idea cannot be a duplicate of itself."),
        ("MERGED", "That idea is itself merged into another"),
    ],
)
async def test_bad_merges_are_explained_and_kept(
    client: Client, board: Personas, target: str, message: str
) -> None:
    duplicate = await make_idea(board.mia, board.operations, title="Duplicate")
    other = await make_idea(board.mia, board.operations, title="Other")
    third = await make_idea(board.mia, board.operations, title="Third")
    await merges.merge_ideas(board.ada.actor, other, str(third))
    value = {"SELF": str(duplicate), "MERGED": f"http://x/ideas/{other}"}.get(target, target)
    await client.login(board.mo.email)
    response = await client.post(f"/ideas/{duplicate}/merge", {"target": value})
    assert response.status_code == 422
    assert message in response.text
    assert f'value="{value}"' in response.text
    assert await counts(duplicate) == (0, "new")


async def test_only_moderators_and_the_departments_managers_merge(
    client: Client, board: Personas
) -> None:
    duplicate = await make_idea(board.mia, board.operations)
    target = await make_idea(board.mia, board.operations)
    await client.login(board.mia.email)
    page = await client.get(f"/ideas/{duplicate}")
    assert "Duplicate of" not in page.text
    refused = await client.post(f"/ideas/{duplicate}/merge", {"target": str(target)})
    assert refused.status_code == 403
    assert await counts(duplicate) == (0, "new")


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    on_target=st.sets(st.integers(0, 5), max_size=6),
    on_duplicate=st.sets(st.integers(0, 5), max_size=6),
)
async def test_merge_and_unmerge_are_exact_for_any_overlap(
    board: Personas, on_target: set[int], on_duplicate: set[int]
) -> None:
    people = await _people(board)
    target = await make_idea(board.ada, board.operations, title="Target")
    duplicate = await make_idea(board.ada, board.operations, title="Duplicate")
    for n in on_target:
        await votes.set_vote(people[n].actor, target, voted=True)
    for n in on_duplicate:
        await votes.set_vote(people[n].actor, duplicate, voted=True)
    ids = {n: people[n].id for n in range(6)}

    await merges.merge_ideas(board.mo.actor, duplicate, str(target))
    union = {ids[n] for n in on_target | on_duplicate}
    assert await voters_of(target) == union
    assert (await counts(target))[0] == len(union)
    assert (await counts(duplicate))[0] == 0

    await merges.unmerge_idea(board.mo.actor, duplicate)
    assert await voters_of(target) == {ids[n] for n in on_target}
    assert await voters_of(duplicate) == {ids[n] for n in on_duplicate}
    assert (await counts(target))[0] == len(on_target)
    assert (await counts(duplicate))[0] == len(on_duplicate)


async def _people(board: Personas) -> list[Person]:
    """Six voters, made once per database (hypothesis reuses the fixture's board)."""
    found = await users.find_user_by_email("voter0@example.com")
    if found is None:
        return await make_people(board, 6)
    rows = (
        await users.User.select(users.User.id, users.User.email)
        .where(users.User.email.like("voter%"))
        .order_by(users.User.email)
    )
    return [Person(r["id"], r["email"], r["email"], board.it) for r in rows]


async def test_a_merged_duplicate_takes_no_status_updates(client: Client, board: Personas) -> None:
    duplicate = await make_idea(board.mia, board.operations, title="Duplicate")
    target = await make_idea(board.mia, board.operations, title="Target")
    await merges.merge_ideas(board.ada.actor, duplicate, str(target))
    await client.login(board.ada.email)
    assert "Post update" not in (await client.get(f"/ideas/{duplicate}")).text
    response = await client.post(
        f"/ideas/{duplicate}/status", {"status": "planned", "message": "Reopen"}
    )
    assert response.status_code == 403
    assert "merged into another: it goes on there" in response.text
    assert await counts(duplicate) == (0, "duplicate")
