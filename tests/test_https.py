"""Served over https: HSTS on every response, and `__Host-` cookies for the session and
the CSRF token (secure, host-only, path /)."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from conftest import PASSWORD, Personas
from ideaboard.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, base_url="https://ideas.acme.example")


async def test_https_gets_hsts_and_host_prefixed_cookies(
    http: httpx.AsyncClient, board: Personas
) -> None:
    page = await http.get("/login")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csrf = http.cookies.get("__Host-csrftoken")
    assert csrf
    response = await http.post(
        "/login",
        data={"_csrf_token": csrf, "email": board.mia.email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = next(
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and value.startswith("__Host-ideaboard_session=")
    )
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "path=/" in lowered
    assert "domain=" not in lowered
    static = await http.get("/static/app.css")  # every response, not only pages
    assert static.headers["Strict-Transport-Security"].startswith("max-age=")
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    assert static.headers["Cache-Control"] == "max-age=3600, public"
    board_page = await http.get("/")
    assert board_page.status_code == 200 and "Sign out" in board_page.text
    assert board_page.headers["Cache-Control"] == "no-store"
