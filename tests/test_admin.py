"""Admin: organisation settings, departments, people and roles."""

from __future__ import annotations

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.services import users
from ideaboard.services.sessions import count_user_sessions
from ideaboard.tables import AuditEntry, Department, Organisation, User


async def test_admin_restricts_signup_domains(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    response = await client.post(
        "/admin", {"name": "Acme Group", "allowed_email_domains": "Example.com, @acme.org"}
    )
    assert response.status_code == 303
    organisation = await Organisation.select().first()
    assert organisation["name"] == "Acme Group"
    assert organisation["allowed_email_domains"] == "example.com,acme.org"
    page = await client.get("/admin")
    assert "settings are saved." in page.text
    assert "example.com, acme.org" in page.text
    # The header's remembered organisation is forgotten on change: the new name shows at once.
    assert '<a class="brand" href="/">Acme Group</a>' in (await client.get("/")).text


async def test_admin_settings_bad_input(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    response = await client.post("/admin", {"name": "", "allowed_email_domains": "not a domain"})
    assert response.status_code == 422
    assert "Organisation name is required." in response.text
    assert "These are not domains: not a domain" in response.text
    assert (await Organisation.select().first())["name"] == "Acme"


async def test_departments_page_shows_how_each_is_used(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.it)
    await client.login("ada@example.com")
    page = await client.get("/admin/departments")
    row = page.text.split(f'id="department-{board.it}"')[1].split("</tr>")[0]
    assert "1 idea<" in row
    assert "1 person" in row  # Mo works in IT


async def test_admin_creates_renames_and_archives_departments(
    client: Client, board: Personas
) -> None:
    await client.login("ada@example.com")
    assert (await client.post("/admin/departments", {"name": "Sales"})).status_code == 303
    sales = await Department.select().where(Department.name == "Sales").first()
    assert sales["slug"] == "sales"

    renamed = await client.post(f"/admin/departments/{sales['id']}/rename", {"name": "Sales & CS"})
    assert renamed.status_code == 303
    assert (await Department.select().where(Department.id == sales["id"]).first())[
        "name"
    ] == "Sales & CS"

    board_page = await client.get("/")
    assert "Sales &amp; CS</option>" in board_page.text  # the board's filter sees it at once
    await client.post(f"/admin/departments/{sales['id']}/archive", {"archived": "1"})
    assert (await Department.select().where(Department.id == sales["id"]).first())["archived"]
    assert "Sales &amp; CS (archived)</option>" in (await client.get("/")).text
    assert "Sales &amp; CS" not in (await client.get("/ideas/new")).text
    await client.post(f"/admin/departments/{sales['id']}/archive", {"archived": "0"})
    assert not (await Department.select().where(Department.id == sales["id"]).first())["archived"]


async def test_department_names_are_unique_and_checked(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    taken = await client.post("/admin/departments", {"name": "it"})
    assert taken.status_code == 422
    assert "(or very like it) exists" in taken.text
    assert 'value="it"' in taken.text
    empty = await client.post("/admin/departments", {"name": "  "})
    assert empty.status_code == 422
    assert "Department name is required." in empty.text
    long = await client.post(f"/admin/departments/{board.it}/rename", {"name": "x" * 81})
    assert long.status_code == 422
    assert "at most 80" in long.text
    clash = await client.post(f"/admin/departments/{board.it}/rename", {"name": "Operations"})
    assert clash.status_code == 422
    assert await Department.count() == 3
    missing = await client.post("/admin/departments/9999/rename", {"name": "Ghost"})
    assert missing.status_code == 404


async def test_last_open_department_cannot_be_archived(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    await client.post(f"/admin/departments/{board.it}/archive", {"archived": "1"})
    await client.post(f"/admin/departments/{board.customer_service}/archive", {"archived": "1"})
    response = await client.post(
        f"/admin/departments/{board.operations}/archive", {"archived": "1"}
    )
    assert response.status_code == 422
    assert "Keep at least one department open." in response.text


async def test_admin_sets_roles(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    page = await client.get("/admin/users")
    assert "Mia Member" in page.text and "mia@example.com" in page.text
    response = await client.post(f"/admin/users/{board.mia.id}/role", {"role": "moderator"})
    assert response.status_code == 303
    assert (await User.select(User.role).where(User.id == board.mia.id).first())[
        "role"
    ] == "moderator"
    bad = await client.post(f"/admin/users/{board.mia.id}/role", {"role": "emperor"})
    assert bad.status_code == 422
    assert "Choose member, moderator or admin." in bad.text


async def test_the_last_admin_cannot_step_down_or_be_deactivated(
    client: Client, board: Personas
) -> None:
    await client.login("ada@example.com")
    demote = await client.post(f"/admin/users/{board.ada.id}/role", {"role": "member"})
    assert demote.status_code == 422
    assert "You cannot change your own role" in demote.text
    deactivate = await client.post(f"/admin/users/{board.ada.id}/active", {"active": "0"})
    assert deactivate.status_code == 422
    assert (await User.select(User.active).where(User.id == board.ada.id).first())["active"]


async def test_deactivating_a_user_ends_their_sessions_at_once(
    client: Client, board: Personas
) -> None:
    await client.login("mia@example.com")
    mia_cookies = dict(client.http.cookies)
    assert await count_user_sessions(board.mia.id) == 1
    client.http.cookies.clear()

    await client.login("ada@example.com")
    response = await client.post(f"/admin/users/{board.mia.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert await count_user_sessions(board.mia.id) == 0

    client.http.cookies.clear()
    client.http.cookies.update(mia_cookies)
    assert (await client.get("/", follow_redirects=False)).status_code == 303
    refused = await client.post("/login", {"email": "mia@example.com", "password": "x"})
    assert refused.status_code == 422

    client.http.cookies.clear()
    await client.login("ada@example.com")
    await client.post(f"/admin/users/{board.mia.id}/active", {"active": "1"})
    client.http.cookies.clear()
    await client.login("mia@example.com")


async def test_admin_searches_people(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    page = await client.get("/admin/users?q=OTTO")
    assert "Otto Operator" in page.text
    assert "Mia Member" not in page.text
    # Danish letters fold on both databases (SQLite's own LOWER() folds ASCII only).
    await User.update({User.name: "Søren Ågård"}).where(User.id == board.otto.id)
    for query in ("ågård", "ÅGÅRD", "SØREN"):
        page = await client.get("/admin/users", params={"q": query})
        assert "Søren Ågård" in page.text, query


@pytest.mark.parametrize(("value", "stored"), [("", 0), ("10", 10), (" 3 ", 3), ("1000", 1000)])
async def test_admin_sets_the_vote_budget(
    client: Client, board: Personas, value: str, stored: int
) -> None:
    await client.login("ada@example.com")
    response = await client.post(
        "/admin", {"name": "Acme", "allowed_email_domains": "", "vote_budget": value}
    )
    assert response.status_code == 303
    assert (await Organisation.select().first())["vote_budget"] == stored


@pytest.mark.parametrize("value", ["ten", "-1", "1001", "2.5", "99999999999"])
async def test_admin_vote_budget_bad_input(client: Client, board: Personas, value: str) -> None:
    await client.login("ada@example.com")
    response = await client.post(
        "/admin", {"name": "Acme", "allowed_email_domains": "", "vote_budget": value}
    )
    assert response.status_code == 422
    assert "Write a whole number from 1 to 1,000, or leave it empty for no limit." in response.text
    assert f'value="{value}"' in response.text
    assert (await Organisation.select().first())["vote_budget"] == 0


@pytest.mark.parametrize("other_admins", [0, 1, 3])
async def test_nobody_changes_their_own_role_however_many_admins_there_are(
    client: Client, board: Personas, other_admins: int
) -> None:
    for n in range(other_admins):
        async with write_transaction():
            await users.insert_user(
                name=f"Admin {n}", email=f"admin{n}@example.com", password_hash="x",
                department_id=board.it, role=Role.ADMIN,
            )  # fmt: skip
    await client.login("ada@example.com")
    for role in ("member", "moderator"):
        refused = await client.post(f"/admin/users/{board.ada.id}/role", {"role": role})
        assert refused.status_code == 422
        assert "You cannot change your own role" in refused.text
    off = await client.post(f"/admin/users/{board.ada.id}/active", {"active": "0"})
    assert off.status_code == 422
    row = await User.select(User.role, User.active).where(User.id == board.ada.id).first()
    assert row == {"role": "admin", "active": True}
    assert await AuditEntry.count() == 0
    # Someone else's role, with the sentence that says so.
    changed = await client.post(f"/admin/users/{board.mia.id}/role", {"role": "moderator"})
    assert changed.status_code == 303
    assert "Mia Member is now a moderator." in (await client.get("/admin/users")).text
