"""The permissions matrix of the triage and moderation workflow: every route, for every
kind of person, answers as the rules in domain.py say."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from conftest import Client, Person, Personas, make_idea, session_cookie_for
from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.services import merges, users
from ideaboard.tables import DepartmentManager, Idea

ROLES = [
    "signed_out",
    "member",
    "author",
    "owner",
    "manager_here",
    "manager_other",
    "moderator",
    "admin",
]
SIGNED_IN = set(ROLES) - {"signed_out"}
ANSWERERS = {"owner", "manager_here", "moderator", "admin"}
TRIAGERS = {"manager_here", "moderator", "admin"}
MODERATORS = {"moderator", "admin"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    # The URL and form for a fresh idea (made by Mia for Operations, owned by Otto).
    request: Callable[[int, Personas], Awaitable[tuple[str, dict[str, str]]]]
    allowed: set[str]
    ok: int  # the status when allowed


async def plain(url: str, form: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    return url, form or {}


async def merged_idea(idea: int, board: Personas) -> tuple[str, dict[str, str]]:
    target = await make_idea(board.mia, board.operations, title="Target")
    await merges.merge_ideas(board.ada.actor, idea, str(target))
    return f"/ideas/{idea}/unmerge", {}


async def other_idea(idea: int, board: Personas) -> tuple[str, dict[str, str]]:
    target = await make_idea(board.mia, board.operations, title="Target")
    return f"/ideas/{idea}/merge", {"target": str(target)}


CASES = [
    Case("triage page", "GET", lambda i, b: plain("/triage"), SIGNED_IN, 200),
    Case("route to an owner", "POST",
         lambda i, b: plain(f"/triage/ideas/{i}", {"owner": "mo@example.com"}), TRIAGERS, 303),
    Case("answer in the triage", "POST",
         lambda i, b: plain(f"/triage/ideas/{i}", {"status": "planned", "message": "m"}),
         ANSWERERS, 303),
    Case("answer on the idea", "POST",
         lambda i, b: plain(f"/ideas/{i}/status", {"status": "planned", "message": "m"}),
         ANSWERERS, 303),
    Case("re-route", "POST",
         lambda i, b: plain(f"/triage/ideas/{i}", {"department_id": str(b.it)}), TRIAGERS, 303),
    Case("bulk", "POST",
         lambda i, b: plain("/triage/bulk", {"idea_ids": str(i), "bulk_owner": "mo@example.com"}),
         TRIAGERS, 303),
    Case("routing threshold", "POST",
         lambda i, b: plain(f"/triage/departments/{b.operations}/threshold", {"threshold": "5"}),
         {"manager_here", "admin"}, 303),
    Case("owner suggestions", "GET", lambda i, b: plain("/triage/people?owner=mi"),
         {"manager_here", "manager_other", "moderator", "admin"}, 200),
    Case("merge", "POST", other_idea, TRIAGERS, 303),
    Case("unmerge", "POST", merged_idea, TRIAGERS, 303),
    Case("moderation queue", "GET", lambda i, b: plain("/moderation"), MODERATORS, 200),
    Case("hide", "POST", lambda i, b: plain(f"/moderation/ideas/{i}/hide"), MODERATORS, 303),
    Case("approve", "POST", lambda i, b: plain(f"/moderation/ideas/{i}/approve"), MODERATORS, 303),
    Case("flag", "POST", lambda i, b: plain(f"/ideas/{i}/flag", {"reason": "Off-topic"}),
         SIGNED_IN, 303),
    Case("notifications", "GET", lambda i, b: plain("/notifications"), SIGNED_IN, 200),
    Case("audit log", "GET", lambda i, b: plain("/admin/audit"), {"admin"}, 200),
    Case("add a manager", "POST",
         lambda i, b: plain(f"/admin/departments/{b.operations}/managers",
                            {"manager_email": "mia@example.com"}), {"admin"}, 303),
]  # fmt: skip


async def person(board: Personas, name: str, email: str) -> Person:
    async with write_transaction():
        user_id = await users.insert_user(
            name=name, email=email, password_hash="x", department_id=board.it, role=Role.MEMBER
        )
    return Person(user_id, email, name, board.it)


@pytest.mark.parametrize("role", ROLES)
async def test_permissions_matrix(client: Client, board: Personas, role: str) -> None:
    here = await person(board, "Hana Here", "hana@example.com")
    other = await person(board, "Olaf Other", "olaf@example.com")
    member = await person(board, "Mel Member", "mel@example.com")
    async with write_transaction():
        await DepartmentManager.insert(
            DepartmentManager(department=board.operations, manager=here.id),
            DepartmentManager(department=board.it, manager=other.id),
        )
    who = {
        "member": member, "author": board.mia, "owner": board.otto, "manager_here": here,
        "manager_other": other, "moderator": board.mo, "admin": board.ada,
    }.get(role)  # fmt: skip
    if who is not None:
        await client.use_session(await session_cookie_for(who.id))
    outcomes = {}
    for case in CASES:
        idea = await make_idea(board.mia, board.operations, title=f"Idea for {case.name}")
        await Idea.update({Idea.owner: board.otto.id}).where(Idea.id == idea)
        url, form = await case.request(idea, board)
        if case.method == "GET":
            response = await client.get(url, follow_redirects=False)
        else:
            response = await client.post(url, form, follow_redirects=False)
        outcomes[case.name] = response.status_code
    expected = {
        case.name: 303 if role == "signed_out" else case.ok if role in case.allowed else 403
        for case in CASES
    }
    assert outcomes == expected
