"""The REST API at /api/v1 with personal access tokens: the same permissions, validation
and visibility as the pages; errors as problem details. Both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from conftest import Client, Personas, make_idea, page_text
from ideaboard.services import api_tokens, moderation
from ideaboard.tables import ApiToken, User


@pytest.fixture
async def api(http: httpx.AsyncClient, app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A script's HTTP client: no cookies, no CSRF token."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        yield c


async def bearer(user_id: int, scope: str = "write", days: int | None = 30) -> dict[str, str]:
    _, secret = await api_tokens.make_token(user_id, "test", scope, days)
    return {"Authorization": f"Bearer {secret}"}


def assert_problem(answer: httpx.Response, status: int, detail: str = "") -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["status"] == status and body["type"] == "about:blank" and body["title"]
    assert detail in body["detail"]
    return body


async def test_me_and_the_departments(api: httpx.AsyncClient, board: Personas) -> None:
    headers = await bearer(board.mia.id, "read")
    me = (await api.get("/api/v1/me", headers=headers)).json()
    assert me["email"] == "mia@example.com" and me["role"] == "member"
    assert me["department"]["name"] == "Customer Service" and me["token_scope"] == "read"
    names = [d["name"] for d in (await api.get("/api/v1/departments", headers=headers)).json()]
    assert names == ["Customer Service", "IT", "Operations"]


async def test_no_live_token_no_answer(api: httpx.AsyncClient, board: Personas) -> None:
    for headers in [{}, {"Authorization": "Bearer ideaboard_pat_nope"}, {"Authorization": "x"}]:
        answer = await api.get("/api/v1/me", headers=headers)
        assert_problem(answer, 401, "personal access token")
        assert answer.headers["www-authenticate"] == "Bearer"
    expired = await bearer(board.mia.id)
    await ApiToken.update({ApiToken.expires_at: ApiToken.created_at - timedelta(days=1)}).where(
        ApiToken.id > 0
    )
    assert_problem(await api.get("/api/v1/me", headers=expired), 401)
    switched_off = await bearer(board.otto.id)
    await User.update({User.active: False}).where(User.id == board.otto.id)
    assert_problem(await api.get("/api/v1/me", headers=switched_off), 401)


async def test_ideas_page_by_page_with_the_boards_filters(
    api: httpx.AsyncClient, board: Personas
) -> None:
    for n in range(5):
        await make_idea(board.mia, board.it, f"Idea number {n}")
    await make_idea(board.mia, board.operations, "For operations")
    headers = await bearer(board.otto.id, "read")
    first = await api.get("/api/v1/ideas", params={"sort": "new", "limit": 2}, headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert [i["title"] for i in body["ideas"]] == ["For operations", "Idea number 4"]
    assert body["next_cursor"] and 'rel="next"' in first.headers["link"]
    following = first.headers["link"].split(">")[0].lstrip("<").replace("http://127.0.0.1:8000", "")
    second = (await api.get(following, headers=headers)).json()
    assert [i["title"] for i in second["ideas"]] == ["Idea number 3", "Idea number 2"]
    mine = await api.get(
        "/api/v1/ideas", params={"scope": "for_mine"}, headers=headers
    )  # Otto works in Operations
    assert [i["title"] for i in mine.json()["ideas"]] == ["For operations"]
    assert_problem(
        await api.get("/api/v1/ideas", params={"limit": 101}, headers=headers), 400, "limit"
    )


async def test_what_the_reader_may_not_see_is_not_found(
    api: httpx.AsyncClient, board: Personas
) -> None:
    hidden = await make_idea(board.mia, board.it, "Hidden")
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="No")
    headers = await bearer(board.otto.id)
    assert_problem(await api.get(f"/api/v1/ideas/{hidden}", headers=headers), 404)
    assert_problem(await api.put(f"/api/v1/ideas/{hidden}/vote", headers=headers), 404)
    assert_problem(await api.get(f"/api/v1/ideas/{hidden}/comments", headers=headers), 404)
    assert_problem(await api.get("/api/v1/ideas/99999999999", headers=headers), 404)
    moderator = await bearer(board.mo.id, "read")
    assert (await api.get(f"/api/v1/ideas/{hidden}", headers=moderator)).status_code == 200


async def test_vote_comment_propose_and_answer(api: httpx.AsyncClient, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.it, "Shared calendar")
    otto = await bearer(board.otto.id)
    voted = await api.put(f"/api/v1/ideas/{idea_id}/vote", headers=otto)
    assert voted.json() == {"idea_id": idea_id, "voted": True, "vote_count": 1}
    again = await api.put(f"/api/v1/ideas/{idea_id}/vote", headers=otto)  # idempotent
    assert again.json()["vote_count"] == 1
    unvoted = await api.delete(f"/api/v1/ideas/{idea_id}/vote", headers=otto)
    assert unvoted.json() == {"idea_id": idea_id, "voted": False, "vote_count": 0}

    comment = await api.post(
        f"/api/v1/ideas/{idea_id}/comments", json={"body": "Yes *please*"}, headers=otto
    )
    assert comment.status_code == 201
    assert comment.json()["body_html"].strip() == "<p>Yes <em>please</em></p>"
    listed = (await api.get(f"/api/v1/ideas/{idea_id}/comments", headers=otto)).json()
    assert [c["author"] for c in listed] == ["Otto Operator"]
    empty = await api.post(f"/api/v1/ideas/{idea_id}/comments", json={"body": " "}, headers=otto)
    assert assert_problem(empty, 422)["errors"]["body"]

    proposed = await api.post(
        "/api/v1/ideas",
        json={
            "title": "Night shift lunch",
            "body": "Warm food at 2 am.",
            "department_id": board.it,
        },
        headers=otto,
    )
    assert proposed.status_code == 201 and proposed.json()["department"]["name"] == "IT"
    refused = await api.post(
        "/api/v1/ideas", json={"title": "", "body": "", "department_id": 0}, headers=otto
    )
    assert set(assert_problem(refused, 422)["errors"]) >= {"title", "department_id"}
    assert_problem(
        await api.post("/api/v1/ideas", json={"title": 5}, headers=otto), 400
    )  # not an idea at all

    # An official update: a member may not, an admin may.
    status = {"status": "planned", "message": "In May."}
    assert_problem(
        await api.post(f"/api/v1/ideas/{idea_id}/status", json=status, headers=otto), 403
    )
    ada = await bearer(board.ada.id)
    answered = await api.post(f"/api/v1/ideas/{idea_id}/status", json=status, headers=ada)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "planned" and answered.json()["updates"][0]["to_status"]


async def test_a_read_token_cannot_write(api: httpx.AsyncClient, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.it)
    reader = await bearer(board.otto.id, "read")
    assert_problem(await api.put(f"/api/v1/ideas/{idea_id}/vote", headers=reader), 403, "read")
    answer = await api.post(
        f"/api/v1/ideas/{idea_id}/comments", json={"body": "Hi"}, headers=reader
    )
    assert_problem(answer, 403)


async def test_the_openapi_document_and_no_schema_pages(
    api: httpx.AsyncClient, board: Personas
) -> None:
    document = (await api.get("/api/v1/openapi.json")).json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/me", "/api/v1/departments", "/api/v1/ideas", "/api/v1/ideas/{idea_id}",
        "/api/v1/ideas/{idea_id}/vote", "/api/v1/ideas/{idea_id}/comments",
        "/api/v1/ideas/{idea_id}/status",
    }  # fmt: skip
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path in ["/schema", "/schema/swagger", "/api/v1/swagger", "/api/v1/openapi.yaml"]:
        assert (await api.get(path)).status_code == 404, path


async def test_tokens_at_account_are_shown_once_and_revoked(
    client: Client, api: httpx.AsyncClient, board: Personas
) -> None:
    await client.login("mia@example.com")
    made = await client.post(
        "/account/api-tokens",
        {"token_name": "Weekly report", "token_scope": "read", "token_days": "30"},
    )
    assert made.status_code == 200 and "Copy this token now" in page_text(made.text)
    assert made.headers["hx-replace-url"] == "/account"  # a reload is the page, not a POST
    reopened = await client.get("/account/api-tokens")
    assert reopened.status_code == 303 and reopened.headers["location"] == "/account#api-tokens"
    (secret,) = {w for w in made.text.split('"') if w.startswith("ideaboard_pat_")}
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await api.get("/api/v1/me", headers=headers)).json()["name"] == "Mia Member"
    page = await client.get("/account")
    assert "Weekly report" in page.text and secret not in page.text
    (token,) = await api_tokens.list_tokens(board.mia.id)
    assert token.last_used_at is not None
    # Nobody revokes another person's token; Mia revokes hers.
    await client.logout()
    await client.login("otto@example.com")
    assert (await client.post(f"/account/api-tokens/{token.id}/revoke")).status_code == 404
    await client.logout()
    await client.login("mia@example.com")
    assert (await client.post(f"/account/api-tokens/{token.id}/revoke")).status_code == 303
    assert_problem(await api.get("/api/v1/me", headers=headers), 401)
    bad = await client.post(
        "/account/api-tokens", {"token_name": "", "token_scope": "admin", "token_days": "9999"}
    )
    assert bad.status_code == 422
    text = page_text(bad.text)
    assert "Name is required." in text and "Choose read, or read and write." in text
    assert "from 1 to 366" in text


def test_the_documented_filters_are_the_boards() -> None:
    from typing import get_args

    from ideaboard.controllers.api import ScopeFilter, StatusFilter
    from ideaboard.services import board

    assert set(get_args(StatusFilter)) == set(board.STATUS_FILTERS)
    assert set(get_args(ScopeFilter)) == set(board.SCOPES)


async def test_an_unknown_filter_is_refused_by_name(
    api: httpx.AsyncClient, board: Personas
) -> None:
    headers = await bearer(board.otto.id, "read")
    answer = await api.get("/api/v1/ideas", params={"sort": "best"}, headers=headers)
    assert "sort" in assert_problem(answer, 400)["detail"]


async def test_pending_ideas_stay_with_their_author_and_moderators(
    api: httpx.AsyncClient, board: Personas
) -> None:
    from ideaboard.tables import Organisation

    await Organisation.update({Organisation.pre_moderation: True}, force=True)
    pending = await make_idea(board.mia, board.it, "Waiting for a moderator")
    otto = await bearer(board.otto.id, "read")
    assert_problem(await api.get(f"/api/v1/ideas/{pending}", headers=otto), 404)
    listed = (await api.get("/api/v1/ideas", params={"sort": "new"}, headers=otto)).json()
    assert pending not in [idea["id"] for idea in listed["ideas"]]
    mia = await bearer(board.mia.id, "read")
    assert (await api.get(f"/api/v1/ideas/{pending}", headers=mia)).status_code == 200


async def test_a_merged_idea_says_where_it_went_and_takes_no_votes(
    api: httpx.AsyncClient, board: Personas
) -> None:
    from ideaboard.services import merges

    target = await make_idea(board.mia, board.it, "Shared calendar for the docks")
    duplicate = await make_idea(board.otto, board.it, "A calendar for the loading docks")
    await merges.merge_ideas(board.mo.actor, duplicate, str(target))
    headers = await bearer(board.otto.id)
    shown = (await api.get(f"/api/v1/ideas/{duplicate}", headers=headers)).json()
    assert shown["merged_into"] == target and shown["status"] == "duplicate"
    refused = await api.put(f"/api/v1/ideas/{duplicate}/vote", headers=headers)
    assert refused.status_code in (403, 422), refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
