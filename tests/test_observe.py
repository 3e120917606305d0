"""What an operator sees: a request id and one log line per request (text or JSON),
and Prometheus metrics at /metrics when they are switched on."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from conftest import Client, Personas
from ideaboard.observe import JsonFormatter
from ideaboard.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, metrics=True)


async def test_each_request_logs_one_line_with_its_id_user_route_and_status(
    client: Client, board: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    await client.login(board.mia.email)
    caplog.set_level(logging.INFO, logger="ideaboard.access")
    caplog.clear()
    response = await client.get("/ideas/999999", headers={"X-Request-ID": "proxy-abc.123"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "proxy-abc.123"
    [record] = [r for r in caplog.records if r.name == "ideaboard.access"]
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "proxy-abc.123"
    assert line["user_id"] == board.mia.id
    assert line["route"] == "/ideas/{idea_id}"
    assert line["path"] == "/ideas/999999"
    assert line["status"] == 404 and line["method"] == "GET"
    assert line["duration_ms"] > 0 and line["level"] == "info"


async def test_refused_and_unrouted_requests_are_logged_with_the_status_sent(
    client: Client, board: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ideaboard.access")
    caplog.clear()
    refused = await client.http.post("/login", data={"email": "x@example.com"})
    unrouted = await client.get("/no/such/page")
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if r.name == "ideaboard.access"]  # fmt: skip
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/login", 403),
        ("/no/such/page", 404),
    ]
    assert [line["request_id"] for line in lines] == [
        refused.headers["x-request-id"],
        unrouted.headers["x-request-id"],
    ]
    assert lines[1]["route"] == "unmatched"


async def test_a_missing_or_hostile_request_id_is_replaced(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ideaboard.access")
    fresh = await client.get("/healthz")
    hostile = await client.get("/healthz", headers={"X-Request-ID": "a\tb" + "x" * 100})
    for response in (fresh, hostile):
        assert len(response.headers["X-Request-ID"]) == 32
    assert fresh.headers["X-Request-ID"] != hostile.headers["X-Request-ID"]
    users = [r.user_id for r in caplog.records if r.name == "ideaboard.access"]  # type: ignore[attr-defined]
    assert users == [None, None]


async def test_metrics_count_requests_by_route_and_read_the_outbox(
    client: Client, board: Personas, database_url: str
) -> None:
    await client.get("/login")
    await client.get("/ideas/1")
    await client.get("/ideas/2")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=")
    text = metrics.text
    assert 'ideaboard_http_requests_total{method="GET",route="/login",status="200"} 1.0' in text
    assert (
        'ideaboard_http_requests_total{method="GET",route="/ideas/{idea_id}",status="303"} 2.0'
        in text
    )
    assert (
        'ideaboard_http_request_duration_seconds_bucket{le="10.0",method="GET",route="/login"}'
        in text
    )
    assert 'ideaboard_outbox_emails{state="waiting"} 0.0' in text
    assert 'ideaboard_db_pool_connections{state="open"}' in text
    assert "process_resident_memory_bytes" in text
    if database_url.startswith("sqlite"):  # the pages' reads ran on the event loop
        inline = re.search(r'ideaboard_sqlite_reads\{where="inline"\} (\d+)', text)
        assert inline is not None and float(inline.group(1)) > 0


async def test_metrics_are_off_unless_switched_on(tmp_path: Path, database_url: str) -> None:
    from ideaboard import db
    from ideaboard.app import create_app

    app = create_app(
        Settings(database_url=database_url, data_dir=tmp_path / "v", secret_key="s" * 40)
    )
    await db.prepare(app.state.engine, pool_size=2)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            assert (await http.get("/metrics")).status_code in (303, 404)
    finally:
        await db.close(app.state.engine)
