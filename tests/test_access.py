"""Who may open what: signed-out visitors, members and admins; CSRF on every unsafe request."""

from __future__ import annotations

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.tables import Idea

PROTECTED_PAGES = [
    "/",
    "/ideas/new",
    "/ideas/similar?title=x",
    "/ideas/1",
    "/ideas/1/edit",
    "/comments/1/edit",
]
ADMIN_PAGES = ["/admin", "/admin/departments", "/admin/users"]
PROTECTED_ACTIONS = [
    "/account",
    "/account/password",
    "/ideas",
    "/ideas/1/edit",
    "/ideas/1/vote",
    "/ideas/1/comments",
    "/comments/1/edit",
    "/comments/1/delete",
    "/admin",
    "/admin/departments",
    "/admin/departments/1/rename",
    "/admin/departments/1/archive",
    "/admin/users/1/role",
    "/admin/users/1/active",
]


@pytest.mark.parametrize("url", PROTECTED_PAGES + ADMIN_PAGES)
async def test_signed_out_visitor_is_sent_to_sign_in(
    client: Client, board: Personas, url: str
) -> None:
    response = await client.get(url, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


@pytest.mark.parametrize("url", PROTECTED_ACTIONS)
async def test_signed_out_visitor_cannot_act(client: Client, board: Personas, url: str) -> None:
    await make_idea(board.mia, board.operations)
    response = await client.post(url, {"title": "x", "name": "x", "voted": "1"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
    assert await Idea.count() == 1


@pytest.mark.parametrize("url", ADMIN_PAGES)
@pytest.mark.parametrize("email", ["mia@example.com", "mo@example.com"])
async def test_admin_pages_refuse_members_and_moderators(
    client: Client, board: Personas, url: str, email: str
) -> None:
    await client.login(email)
    response = await client.get(url)
    assert response.status_code == 403
    assert "Only admins" in response.text


@pytest.mark.parametrize("url", ADMIN_PAGES)
async def test_admin_pages_open_for_admins(client: Client, board: Personas, url: str) -> None:
    await client.login("ada@example.com")
    assert (await client.get(url)).status_code == 200


async def test_htmx_request_when_signed_out_gets_a_client_redirect(
    client: Client, board: Personas
) -> None:
    response = await client.post("/ideas/1/vote", {"voted": "1"}, htmx=True)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


async def test_post_without_csrf_token_is_refused(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    idea_id = await make_idea(board.mia, board.operations)
    response = await client.http.post(
        f"/ideas/{idea_id}/vote", data={"voted": "1"}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "This form expired" in response.text
    forged = await client.http.post(
        f"/ideas/{idea_id}/vote",
        data={"voted": "1", "_csrf_token": "forged"},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert (await Idea.select(Idea.vote_count).first())["vote_count"] == 0


async def test_csrf_header_works_like_the_form_field(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    idea_id = await make_idea(board.mia, board.operations)
    response = await client.http.post(
        f"/ideas/{idea_id}/vote",
        data={"voted": "1"},
        headers={"x-csrftoken": client.csrf_token, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.text


async def test_pages_carry_security_headers(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    response = await client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "HX-Request" in response.headers["vary"]


async def test_error_answers_carry_the_security_headers_too(
    client: Client, board: Personas
) -> None:
    """Answers made outside the routes' middleware: no route, no such method, a form
    refused by the CSRF check."""
    responses = {
        "no route": await client.get("/no/such/page"),
        "no method": await client.http.request("DELETE", "/login"),
        "no CSRF token": await client.http.post("/login", data={"email": "x@example.com"}),
    }
    assert [r.status_code for r in responses.values()] == [404, 405, 403]
    assert set(responses["no method"].headers["allow"].split(", ")) == {"GET", "POST", "OPTIONS"}
    for what, response in responses.items():
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], what
        assert response.headers["x-content-type-options"] == "nosniff", what
        assert response.headers["x-frame-options"] == "DENY", what
        assert len(response.headers["x-request-id"]) == 32, what


async def test_unknown_page_is_a_friendly_404(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    response = await client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is no page at this address." in response.text
    assert "Back to the board" in response.text


async def test_every_get_route_answers_head_like_get(client: Client, board: Personas) -> None:
    """Every GET route, from the route list itself: HEAD answers with the GET's status
    and headers, and no body."""
    from ideaboard.routes import ROUTES

    idea = await make_idea(board.mia, board.operations)
    await client.login(board.ada.email)
    values = {"idea_id": idea, "comment_id": 1, "notification_id": 1, "user_id": board.mia.id,
              "token": "x", "department_id": board.operations, "email_id": 1}  # fmt: skip
    checked = 0
    for route in ROUTES:
        if "GET" not in route.http_methods:
            continue
        path = next(iter(route.paths))
        if path == "/live":
            continue  # a stream that never ends: tests/test_live.py checks it on a server
        for name, value in values.items():
            for kind in ("int", "str"):
                path = path.replace(f"{{{name}:{kind}}}", str(value))
        get = await client.get(path)
        head = await client.http.head(path)
        assert head.status_code == get.status_code, path
        assert head.content == b"", path
        assert head.headers.get("content-type") == get.headers.get("content-type"), path
        checked += 1
    assert checked >= 25
