"""The health check that load balancers poll."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from conftest import Client
from ideaboard.app import create_app
from ideaboard.settings import Settings


async def test_healthz_is_200_json_when_the_database_answers(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["content-type"] == "application/json"
    # Load balancers ask with HEAD: the same answer, without the body.
    head = await client.http.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert head.headers["content-length"] == response.headers["content-length"]


def unreachable(settings: Settings, tmp_path: Path) -> str:
    if settings.is_sqlite:
        (tmp_path / "not-a-database").mkdir()  # a directory: every connection fails
        return f"sqlite:///{tmp_path / 'not-a-database'}"
    parts = urlsplit(settings.database_url)
    return urlunsplit(parts._replace(netloc="postgres@127.0.0.1:1"))  # nothing listens there


async def test_healthz_is_503_when_the_database_does_not_answer(
    settings: Settings, tmp_path: Path
) -> None:
    app = create_app(replace(settings, database_url=unreachable(settings, tmp_path)))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        response = await c.get("/healthz")
        head = await c.head("/healthz")
    assert head.status_code == 503 and head.content == b""
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}
