"""SCIM 2.0 provisioning at /scim/v2: what a directory (Microsoft Entra ID, Okta) sends,
and what the board does with it, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from conftest import Client, Personas, page_text
from ideaboard.services import scim_tokens
from ideaboard.tables import AuditEntry, Department, Session, User

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A directory's SCIM client: JSON with a bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}

    async def request(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return await self.http.request(method, f"/scim/v2{path}", json=body, headers=self.headers)


@pytest.fixture
async def directory(http: httpx.AsyncClient, app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The directory's own HTTP client: no browser's cookies."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


@pytest.fixture
async def scim(directory: httpx.AsyncClient, board: Personas) -> Scim:
    _, secret = await scim_tokens.make_token(board.ada.actor, "Entra ID")
    return Scim(directory, secret)


def entra_user(user_name: str, **extra: Any) -> dict[str, Any]:
    """A user as Microsoft Entra ID's provisioning sends it (more than the board keeps)."""
    return {
        "schemas": [CORE, ENTERPRISE],
        "externalId": "00aa-" + user_name.partition("@")[0],
        "userName": user_name,
        "active": True,
        "displayName": "Lene Lager",
        "title": "Warehouse lead",
        "emails": [{"primary": True, "type": "work", "value": user_name}],
        "name": {"formatted": "Lene Lager", "familyName": "Lager", "givenName": "Lene"},
        "phoneNumbers": [{"type": "work", "value": "+45 11 22 33 44"}],
        ENTERPRISE: {"department": "Warehouse", "manager": {"value": "00aa-boss"}},
        **extra,
    }


async def test_a_directory_creates_finds_and_updates_a_person(scim: Scim, board: Personas) -> None:
    missing = await scim.request("GET", '/Users?filter=userName eq "lene@example.com"')
    assert missing.status_code == 200 and missing.json()["totalResults"] == 0
    created = await scim.request("POST", "/Users", entra_user("lene@example.com"))
    assert created.status_code == 201, created.text
    assert created.headers["content-type"].startswith("application/scim+json")
    body = created.json()
    assert body["userName"] == "lene@example.com" and body["displayName"] == "Lene Lager"
    assert body[ENTERPRISE]["department"] == "Warehouse" and body["active"] is True
    assert created.headers["location"].endswith(f"/scim/v2/Users/{body['id']}")
    person = await User.select().where(User.email == "lene@example.com").first()
    assert person["password_hash"] == "" and person["external_id"] == "00aa-lene"
    warehouse = await Department.select().where(Department.name == "Warehouse").first()
    assert person["department"] == warehouse["id"]

    found = await scim.request("GET", '/Users?filter=userName eq "LENE@example.com"')
    assert [user["id"] for user in found.json()["Resources"]] == [body["id"]]
    # Entra's PATCH: capitalised operations, a path into the extension, a string boolean.
    patched = await scim.request(
        "PATCH",
        f"/Users/{body['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "displayName", "value": "Lene Lager-Holm"},
                {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": "IT"},
                {"op": "Add", "path": "title", "value": "Head of stock"},
            ],
        },
    )
    assert patched.status_code == 200, patched.text
    person = await User.select().where(User.id == int(body["id"])).first()
    assert person["name"] == "Lene Lager-Holm" and person["department"] == board.it
    assert await User.count().where(User.email == "lene@example.com") == 1


async def test_deactivating_signs_the_person_out_at_once(
    scim: Scim, board: Personas, client: Client
) -> None:
    await client.login("mia@example.com")
    assert (await client.get("/")).status_code == 200
    # Mia signed up with a password: the directory finds her by address.
    found = await scim.request("GET", '/Users?filter=userName eq "mia@example.com"')
    (mia,) = found.json()["Resources"]
    assert mia["id"] == str(board.mia.id)
    answer = await scim.request(
        "PATCH",
        f"/Users/{mia['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert await Session.count().where(Session.account == board.mia.id) == 0
    # Her open browser is signed out on its next request.
    assert (await client.get("/")).status_code == 303
    assert (
        await client.post("/login", {"email": "mia@example.com", "password": "x"})
    ).status_code == 422
    # Switched on again (Entra sends a whole-resource replace without a path).
    answer = await scim.request(
        "PATCH",
        f"/Users/{mia['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    assert answer.json()["active"] is True
    await client.login("mia@example.com")
    assert (await client.get("/")).status_code == 200
    summaries = [row["summary"] for row in await AuditEntry.select(AuditEntry.summary)]
    assert any("switched off" in s for s in summaries) and any(
        "switched on" in s for s in summaries
    )


async def test_a_deleted_person_is_gone_from_scim_and_comes_back_as_the_same_account(
    scim: Scim, board: Personas
) -> None:
    created = (await scim.request("POST", "/Users", entra_user("leo@example.com"))).json()
    assert (await scim.request("DELETE", f"/Users/{created['id']}")).status_code == 204
    assert (await scim.request("GET", f"/Users/{created['id']}")).status_code == 404
    person = await User.select().where(User.id == int(created["id"])).first()
    assert person["active"] is False  # kept: their ideas and comments stay
    again = await scim.request("POST", "/Users", entra_user("leo@example.com"))
    assert again.status_code == 201 and again.json()["id"] == created["id"]
    assert again.json()["active"] is True


async def test_an_imported_placeholder_is_the_account_the_directory_provisions(
    scim: Scim, board: Personas
) -> None:
    from ideaboard.imports.own import read_template
    from ideaboard.services.importing import run_import

    rows = "title,author_email,author_name\r\nNight buses,lene@example.com,Lene L.\r\n"
    await run_import(read_template(rows.encode(), statuses={}, default_department="IT"))
    placeholder = await User.select().where(User.email == "lene@example.com").first()
    listed = await scim.request("GET", '/Users?filter=userName eq "lene@example.com"')
    assert [user["active"] for user in listed.json()["Resources"]] == [False]  # waiting
    created = await scim.request("POST", "/Users", entra_user("lene@example.com"))
    assert created.status_code == 201, created.text
    assert created.json()["id"] == str(placeholder["id"])
    person = await User.select().where(User.email == "lene@example.com").first()
    assert person["active"] and not person["placeholder"] and person["name"] == "Lene Lager"
    assert await User.count().where(User.email == "lene@example.com") == 1


async def test_a_taken_address_is_a_conflict_not_a_duplicate(scim: Scim, board: Personas) -> None:
    await scim.request("POST", "/Users", entra_user("kim@example.com"))
    twice = await scim.request("POST", "/Users", entra_user("kim@example.com"))
    assert twice.status_code == 409 and twice.json()["scimType"] == "uniqueness"
    taken = await scim.request("POST", "/Users", entra_user("otto@example.com"))
    assert taken.status_code == 409


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "scim_type"),
    [
        ("POST", "/Users", {"schemas": [CORE], "displayName": "No Name"}, 400, "invalidValue"),
        ("POST", "/Users", {"schemas": [CORE], "userName": "not-an-address"}, 400, "invalidValue"),
        ("POST", "/Users", [1, 2], 400, "invalidSyntax"),
        ("GET", '/Users?filter=displayName co "a"', None, 400, "invalidFilter"),
        ("GET", '/Users?filter=userName eq "a%00b"', None, 400, "invalidValue"),
        ("GET", '/Users?filter=externalId eq "a\\u0000b"', None, 400, "invalidFilter"),
        (
            "POST",
            "/Users",
            entra_user("nul@example.com", externalId="a\u0000b"),
            400,
            "invalidValue",
        ),
        ("GET", "/Users?count=many", None, 400, "invalidValue"),
        ("GET", "/Users/999999", None, 404, None),
        ("GET", "/Users/not-a-number", None, 404, None),
        ("GET", "/Groups", None, 404, None),
        ("PATCH", "/Users/1", {"schemas": [PATCH], "Operations": [{"op": "explode"}]}, 400, None),
    ],
)
async def test_bad_requests_get_scim_errors(
    scim: Scim,
    board: Personas,
    method: str,
    path: str,
    body: Any,
    status: int,
    scim_type: str | None,
) -> None:
    answer = await scim.request(method, path, body)
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert error["status"] == str(status) and error["detail"]
    if scim_type:
        assert error["scimType"] == scim_type


async def test_a_request_without_a_live_token_is_refused(
    directory: httpx.AsyncClient, board: Personas
) -> None:
    http = directory
    for headers in [
        {},
        {"Authorization": "Bearer ideaboard_scim_wrong"},
        {"Authorization": "Basic x"},
    ]:
        answer = await http.get("/scim/v2/Users", headers=headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["status"] == "401"
    token, secret = await scim_tokens.make_token(board.ada.actor, "Okta")
    assert (await Scim(http, secret).request("GET", "/Users")).status_code == 200
    assert (await scim_tokens.list_tokens(board.ada.actor))[0].last_used_at is not None
    await scim_tokens.revoke_token(board.ada.actor, token.id)
    assert (await Scim(http, secret).request("GET", "/Users")).status_code == 401


async def test_the_admin_page_makes_shows_once_and_revokes_tokens(
    client: Client, board: Personas, directory: httpx.AsyncClient
) -> None:
    http = directory
    await client.login("ada@example.com")
    made = await client.post("/admin/scim-tokens", {"token_name": "Microsoft Entra ID"})
    assert made.status_code == 200, made.text
    text = page_text(made.text)
    assert "Copy this token now" in text and "/scim/v2" in text
    (secret,) = [word for word in made.text.split('"') if word.startswith("ideaboard_scim_")]
    assert (await Scim(http, secret).request("GET", "/Users")).status_code == 200
    listing = await client.get("/admin")
    assert "Microsoft Entra ID" in listing.text and secret not in listing.text
    (token,) = await scim_tokens.list_tokens(board.ada.actor)
    revoked = await client.post(f"/admin/scim-tokens/{token.id}/revoke")
    assert revoked.status_code == 303
    assert (await Scim(http, secret).request("GET", "/Users")).status_code == 401
    # A member cannot make one.
    await client.logout()
    await client.login("mia@example.com")
    assert (await client.post("/admin/scim-tokens", {"token_name": "Mine"})).status_code == 403


async def test_a_token_needs_a_name(client: Client, board: Personas) -> None:
    await client.login("ada@example.com")
    empty = await client.post("/admin/scim-tokens", {"token_name": "  "})
    assert empty.status_code == 422 and "Name is required." in page_text(empty.text)
    assert "ideaboard_scim_" not in empty.text
