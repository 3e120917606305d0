"""Company sign-in (OpenID Connect) against a real provider running beside the tests:
people created and kept up to date from the directory's claims, and every way a sign-in
can go wrong answered with a page and an audit line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from ideaboard.settings import OidcSettings, Settings
from ideaboard.tables import AuditEntry, Session, SignInAttempt, User
from conftest import FAST_HASHING, Client, Personas, page_text
from oidc_provider import Provider, local, running_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture(autouse=True)
def honest_provider(provider: Provider) -> None:
    provider.forger.reset()


def sso_settings(provider_url: str, **overrides: object) -> OidcSettings:
    options: dict[str, object] = {
        "issuer": provider_url,
        "client_id": "ideaboard",
        "client_secret": "board-secret",
        "name": "Acme ID",
        "admin_values": ("board-admins",),
        "moderator_values": ("board-moderators",),
        **overrides,
    }
    return OidcSettings(**options)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider: Provider) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        oidc=sso_settings(provider.url),
        **FAST_HASHING,
    )


async def company_sign_in(client: Client, provider: Provider, subject: str) -> object:
    """Click "Sign in with Acme ID", sign in at the provider, come back."""
    start = await client.get("/auth/oidc/start")
    assert start.status_code == 303, start.text
    return await client.get(local(provider.authorize(start.headers["location"], subject)))


async def test_first_sign_in_creates_the_person_from_the_claims(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person(
        "u-1001", email="Nora.Nord@Example.com", name="Nora Nord", department="logistics",
        groups=["staff", "board-moderators"], email_verified=True,
    )  # fmt: skip
    login = await client.get("/login")
    assert "Sign in with Acme ID" in page_text(login.text)
    answer = await company_sign_in(client, provider, "u-1001")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    person = await User.select().where(User.email == "nora.nord@example.com").first()
    assert person["name"] == "Nora Nord" and person["role"] == "moderator"
    assert person["oidc_subject"] == "u-1001" and person["password_hash"] == ""
    board_page = await client.get("/")
    assert board_page.status_code == 200 and "Welcome, Nora Nord!" in page_text(board_page.text)
    account = await client.get("/account")
    assert "Logistics" in account.text or "logistics" in account.text
    actions = [row["action"] for row in await AuditEntry.select(AuditEntry.action)]
    assert "sso.created" in actions
