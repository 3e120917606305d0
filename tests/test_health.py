"""The health check that load balancers poll."""

from __future__ import annotations

import pytest

from conftest import Client
from ideaboard.db import sqlite_path
from ideaboard.settings import Settings


async def test_healthz_is_200_json_when_the_database_answers(client: Client) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_healthz_is_503_when_the_database_does_not_answer(
    client: Client, settings: Settings
) -> None:
    if not settings.is_sqlite:
        pytest.skip("stopping the shared PostgreSQL server would break the rest of the run")
    path = sqlite_path(settings.database_url)
    path.unlink()
    path.mkdir()
    response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
