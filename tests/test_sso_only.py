"""IDEABOARD_PASSWORD_SIGNIN=false: the company sign-in is the only way in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PASSWORD, Client, Personas, page_text
from ideaboard.settings import Settings, SettingsError
from oidc_provider import Provider, local, running_provider
from test_sso import board_settings


@pytest.fixture(scope="module")
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider: Provider) -> Settings:
    return board_settings(database_url, tmp_path, provider, password_signin=False)


async def test_the_sign_in_page_offers_only_the_company_account(
    client: Client, board: Personas
) -> None:
    page = await client.get("/login")
    text = page_text(page.text)
    assert "Sign in with Acme ID" in text and "no separate password" in text
    assert 'name="password"' not in page.text and "/signup" not in page.text
    assert "Forgot your password?" not in text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/login"),
        ("get", "/signup"),
        ("post", "/signup"),
        ("get", "/password/forgot"),
        ("post", "/password/forgot"),
        ("get", "/password/reset/some-token"),
        ("get", "/signup/confirm/some-token"),
    ],
)
async def test_password_pages_point_to_the_company_sign_in(
    client: Client, board: Personas, method: str, path: str
) -> None:
    if method == "post":
        answer = await client.post(path, {"email": "ada@example.com", "password": PASSWORD})
    else:
        answer = await client.get(path)
    assert answer.status_code == 404
    text = page_text(answer.text)
    assert "This board uses your company account" in text and "Sign in with Acme ID" in text
    assert (await client.get("/")).status_code == 303  # nobody got in


async def test_the_account_page_has_no_password_form(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-1", email="ada@example.com", name="Ada Admin")
    start = await client.get("/auth/oidc/start")
    back = await client.get(local(provider.authorize(start.headers["location"], "u-1")))
    assert back.status_code == 303
    account = await client.get("/account")
    assert account.status_code == 200 and "Change password" not in account.text
    refused = await client.post(
        "/account/password", {"current_password": PASSWORD, "new_password": "x" * 12}
    )
    assert refused.status_code == 404


def test_password_sign_in_cannot_be_off_without_a_company_sign_in() -> None:
    with pytest.raises(SettingsError, match="nobody could sign in"):
        Settings.from_env({"IDEABOARD_PASSWORD_SIGNIN": "false"})
    with pytest.raises(SettingsError, match="CLIENT_ID"):
        Settings.from_env({"IDEABOARD_OIDC_ISSUER": "https://id.example"})
    settings = Settings.from_env(
        {
            "IDEABOARD_OIDC_ISSUER": "https://login.example/realms/acme",
            "IDEABOARD_OIDC_CLIENT_ID": "board",
            "IDEABOARD_OIDC_NAME": "Acme Login",
            "IDEABOARD_OIDC_ROLES_CLAIM": "realm_access.roles",
            "IDEABOARD_OIDC_ADMIN_VALUES": "board-admin, it-ops",
            "IDEABOARD_PASSWORD_SIGNIN": "false",
        }
    )
    assert settings.oidc.admin_values == ("board-admin", "it-ops")
    assert settings.oidc.name == "Acme Login" and not settings.password_signin
