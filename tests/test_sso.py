"""Company sign-in (OpenID Connect) against a real provider running beside the tests:
people created and kept up to date from the directory's claims, and every way a sign-in
can go wrong answered with a page and an audit line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import FAST_HASHING, Client, Personas, page_text
from ideaboard.settings import OidcSettings, Settings
from ideaboard.tables import AuditEntry, Session, SignInAttempt, User
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


def board_settings(database_url: str, tmp_path: Path, provider: Provider, **more: Any) -> Settings:
    """The suite's settings (conftest), with the company sign-in at `provider`."""
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        oidc=sso_settings(provider.url),
        **FAST_HASHING,
        **more,
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path, provider: Provider) -> Settings:
    return board_settings(database_url, tmp_path, provider)


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


async def test_the_role_and_department_follow_the_directory_at_every_sign_in(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person(
        "u-2002", email="per@example.com", name="Per Persson", department="Customer service",
        groups=["board-moderators"],
    )  # fmt: skip
    await company_sign_in(client, provider, "u-2002")
    person = await User.select().where(User.oidc_subject == "u-2002").first()
    # Matched to the existing department, whatever the case.
    assert person["department"] == board.customer_service and person["role"] == "moderator"
    await client.logout()
    provider.set_person(
        "u-2002", email="per@example.com", name="Per Persson-Berg", department="IT",
        groups=["board-admins"],
    )  # fmt: skip
    await company_sign_in(client, provider, "u-2002")
    person = await User.select().where(User.oidc_subject == "u-2002").first()
    assert (person["name"], person["department"], person["role"]) == (
        "Per Persson-Berg",
        board.it,
        "admin",
    )
    admin_page = await client.get("/admin")
    assert admin_page.status_code == 200
    await client.logout()
    provider.set_person("u-2002", email="per@example.com", name="Per Persson-Berg", groups=[])
    await company_sign_in(client, provider, "u-2002")
    person = await User.select().where(User.oidc_subject == "u-2002").first()
    assert person["role"] == "member" and person["department"] == board.it  # none claimed: kept
    assert (await client.get("/admin")).status_code == 403
    assert await User.count().where(User.email == "per@example.com") == 1
    changes = await AuditEntry.select().where(AuditEntry.action == "user.directory")
    assert len(changes) == 2


async def test_an_existing_account_is_linked_never_duplicated(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-3003", email="MIA@example.com", name="Mia Member", email_verified=True)
    answer = await company_sign_in(client, provider, "u-3003")
    assert answer.status_code == 303
    assert await User.count().where(User.email == "mia@example.com") == 1
    mia = await User.select().where(User.id == board.mia.id).first()
    assert mia["oidc_subject"] == "u-3003" and mia["password_hash"]  # the password stays
    assert mia["department"] == board.customer_service  # no department claimed: kept
    assert [row["action"] for row in await AuditEntry.select(AuditEntry.action)] == ["sso.linked"]
    # A different directory account with the same address is not let into Mia's.
    await client.logout()
    provider.set_person("u-9999", email="mia@example.com", name="Not Mia")
    refused = await company_sign_in(client, provider, "u-9999")
    assert refused.status_code == 403
    assert "belongs to another company account" in page_text(refused.text)


async def test_an_imported_placeholder_becomes_theirs_at_the_first_company_sign_in(
    client: Client, board: Personas, provider: Provider
) -> None:
    from ideaboard.imports.own import read_template
    from ideaboard.services.importing import run_import

    rows = "title,author_email,author_name\r\nNight buses,lea@example.com,Lea L.\r\n"
    await run_import(read_template(rows.encode(), statuses={}, default_department="IT"))
    placeholder = await User.select().where(User.email == "lea@example.com").first()
    provider.set_person("u-6006", email="lea@example.com", name="Lea Larsen", department="IT")
    answer = await company_sign_in(client, provider, "u-6006")
    assert answer.status_code == 303
    accounts = await User.select().where(User.email == "lea@example.com")
    assert [row["id"] for row in accounts] == [placeholder["id"]]
    assert accounts[0]["active"] and not accounts[0]["placeholder"]
    assert (accounts[0]["name"], accounts[0]["oidc_subject"]) == ("Lea Larsen", "u-6006")


async def test_a_person_without_a_department_claim_is_asked_for_one(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-4004", email="dee@example.com", name="Dee Dept")
    answer = await company_sign_in(client, provider, "u-4004")
    assert answer.headers["location"] == "/account"
    account = await client.get("/account")
    assert "Your company account named no department: choose yours here." in page_text(account.text)
    assert "come from Acme ID" in page_text(account.text)


async def test_the_sign_in_returns_to_the_page_it_was_asked_from(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-5005", email="otto@example.com", name="Otto Operator")
    login = await client.get("/login?next=/roadmap")
    assert "/auth/oidc/start?next=%2Froadmap" in login.text
    start = await client.get("/auth/oidc/start?next=/roadmap")
    back = await client.get(local(provider.authorize(start.headers["location"], "u-5005")))
    assert back.headers["location"] == "/roadmap"
    # Another site is never a target.
    start = await client.get("/auth/oidc/start?next=https://evil.example/")
    await client.logout()
    back = await client.get(local(provider.authorize(start.headers["location"], "u-5005")))
    assert back.headers["location"] == "/"


async def test_sign_out_ends_the_session_at_the_provider_too(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-6006", email="sam@example.com", name="Sam Sign")
    await company_sign_in(client, provider, "u-6006")
    assert await Session.count() == 1
    out = await client.logout()
    assert out.status_code == 303
    location = urlsplit(out.headers["location"])
    assert f"{location.scheme}://{location.netloc}" == provider.url
    assert location.path == "/oauth2/end_session"
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:8000/login"]
    assert query["id_token_hint"][0].count(".") == 2 and query["client_id"] == ["ideaboard"]
    assert await Session.count() == 0
    assert (await client.get("/")).status_code == 303  # signed out here
    # The form may go on to the provider (CSP form-action), and nowhere else.
    policy = (await client.get("/login")).headers["content-security-policy"]
    assert f"form-action 'self' {provider.url};" in policy


async def test_a_password_session_signs_out_here_only(
    client: Client, board: Personas, provider: Provider
) -> None:
    await client.login("mia@example.com")
    out = await client.logout()
    assert out.headers["location"] == "/login"


# --- When it goes wrong: a page with a way back, and an audit line --------------------


async def refusal(reason: str) -> None:
    rows = await AuditEntry.select().where(AuditEntry.action == "sso.refused")
    assert rows and reason in rows[-1]["summary"], rows


def assert_problem_page(answer: object, status: int, sentence: str) -> None:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    text = page_text(answer.text)  # type: ignore[attr-defined]
    assert "Company sign-in did not work" in text and sentence in text
    assert "Try again with Acme ID" in text and 'href="/login"' in answer.text  # type: ignore[attr-defined]


async def test_a_provider_that_is_down_gets_a_page(
    client: Client, board: Personas, app: object
) -> None:
    from ideaboard.oidc import OidcProvider

    app.state.oidc = OidcProvider(  # type: ignore[attr-defined]
        sso_settings("http://127.0.0.1:9"), "http://127.0.0.1:8000/auth/oidc/callback"
    )
    answer = await client.get("/auth/oidc/start")
    assert_problem_page(answer, 502, "We could not reach Acme ID.")
    await refusal("unreachable")


async def test_a_callback_from_another_browser_is_refused(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-7007", email="eve@example.com", name="Eve")
    start = await client.get("/auth/oidc/start")
    callback = local(provider.authorize(start.headers["location"], "u-7007"))
    client.http.cookies.delete("ideaboard_oidc_state")
    answer = await client.get(callback)
    assert_problem_page(answer, 400, "started in another browser or tab")
    await refusal("wrong_state")
    assert await User.count().where(User.email == "eve@example.com") == 0


async def test_a_replayed_callback_is_refused(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-8008", email="rita@example.com", name="Rita Replay")
    start = await client.get("/auth/oidc/start")
    state_cookie = client.http.cookies.get("ideaboard_oidc_state")
    callback = local(provider.authorize(start.headers["location"], "u-8008"))
    assert (await client.get(callback)).status_code == 303
    await client.logout()
    client.http.cookies.set("ideaboard_oidc_state", state_cookie, path="/auth/oidc")
    again = await client.get(callback)
    assert_problem_page(again, 400, "has been used already")
    await refusal("replayed")


async def test_an_expired_attempt_is_refused(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-8009", email="slow@example.com", name="Slow Sam")
    start = await client.get("/auth/oidc/start")
    callback = local(provider.authorize(start.headers["location"], "u-8009"))
    attempt = await SignInAttempt.select().first()
    await SignInAttempt.update(
        {SignInAttempt.created_at: attempt["created_at"] - timedelta(minutes=11)}
    ).where(SignInAttempt.id == attempt["id"])
    answer = await client.get(callback)
    assert_problem_page(answer, 400, "took too long and has expired")
    await refusal("expired")


async def test_a_cancelled_sign_in_gets_a_page(
    client: Client, board: Personas, provider: Provider
) -> None:
    start = await client.get("/auth/oidc/start")
    answer = await client.get(local(provider.deny(start.headers["location"])))
    assert_problem_page(answer, 400, "cancelled or refused at Acme ID")
    await refusal("cancelled")


@pytest.mark.parametrize(
    ("forgery", "detail"),
    [
        ({"foreign_key": True}, "signature"),
        ({"claims": {"aud": "another-app"}}, "aud"),
        ({"claims": {"iss": "https://evil.example"}}, "iss"),
        ({"claims": {"exp": 1_000_000_000, "iat": 999_999_000}}, "exp"),
        ({"claims": {"nonce": "not-the-one-we-sent"}}, "nonce"),
    ],
)
async def test_a_token_that_does_not_hold_up_signs_nobody_in(
    client: Client, board: Personas, provider: Provider, forgery: dict, detail: str
) -> None:
    provider.set_person("u-9100", email="forged@example.com", name="Forged")
    for name, value in forgery.items():
        setattr(provider.forger, name, value)
    answer = await company_sign_in(client, provider, "u-9100")
    assert_problem_page(answer, 400, "could not be verified, so nobody was signed in")
    await refusal("bad_token")
    assert await User.count().where(User.email == "forged@example.com") == 0
    assert await Session.count() == 0


async def test_the_forger_signs_a_token_the_board_accepts_when_it_changes_nothing_harmful(
    client: Client, board: Personas, provider: Provider
) -> None:
    """The forged-token test above proves something only if a re-signed token with the
    published key is accepted: the refusals come from the claims, not the forging."""
    provider.set_person("u-9101", email="fine@example.com", name="Fine")
    provider.forger.claims = {"name": "Fine Forged"}
    answer = await company_sign_in(client, provider, "u-9101")
    assert answer.status_code == 303
    assert await User.count().where(User.name == "Fine Forged") == 1


async def test_a_missing_email_claim_gets_a_page(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-9200", name="No Mail", preferred_username="nomail")
    answer = await company_sign_in(client, provider, "u-9200")
    assert_problem_page(answer, 403, "did not tell the board your email address")
    await refusal("no_email")


async def test_an_unverified_email_gets_a_page(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-9300", email="ada@example.com", email_verified=False)
    answer = await company_sign_in(client, provider, "u-9300")
    assert_problem_page(answer, 403, "not verified")
    ada = await User.select().where(User.id == board.ada.id).first()
    assert ada["oidc_subject"] is None  # nobody took over Ada's account


async def test_a_deactivated_person_is_not_let_in(
    client: Client, board: Personas, provider: Provider
) -> None:
    await User.update({User.active: False}).where(User.id == board.otto.id)
    provider.set_person("u-9400", email="otto@example.com", name="Otto Operator")
    answer = await company_sign_in(client, provider, "u-9400")
    assert_problem_page(answer, 403, "switched off")
    await refusal("deactivated")


async def test_allowed_email_domains_still_apply(
    client: Client, board: Personas, provider: Provider
) -> None:
    from ideaboard.tables import Organisation

    await Organisation.update({Organisation.allowed_email_domains: "acme.example"}).where(
        Organisation.id > 0
    )
    provider.set_person("u-9500", email="guest@elsewhere.example", name="Guest")
    answer = await company_sign_in(client, provider, "u-9500")
    assert_problem_page(answer, 403, "open to addresses at acme.example")
    await refusal("domain")


async def test_people_outside_the_allowed_values_are_refused(
    client: Client, board: Personas, provider: Provider, app: object
) -> None:
    from ideaboard.oidc import OidcProvider

    keycloak_style = sso_settings(
        provider.url, roles_claim="realm_access.roles", allowed_values=("ideaboard-users",)
    )
    app.state.oidc = OidcProvider(keycloak_style, "http://127.0.0.1:8000/auth/oidc/callback")  # type: ignore[attr-defined]
    provider.set_person(
        "u-9600", email="out@example.com", name="Outsider", realm_access={"roles": ["staff"]}
    )
    answer = await company_sign_in(client, provider, "u-9600")
    assert_problem_page(answer, 403, "not among the people who may use this board")
    await refusal("not_allowed")
    provider.set_person(
        "u-9601", email="in@example.com", name="Insider",
        realm_access={"roles": ["ideaboard-users", "board-admins"]},
    )  # fmt: skip
    answer = await company_sign_in(client, provider, "u-9601")
    assert answer.status_code == 303
    insider = await User.select().where(User.email == "in@example.com").first()
    assert insider["role"] == "admin"  # the dotted path reads Keycloak's realm roles


async def test_failed_callbacks_cannot_fill_the_audit_log(
    client: Client, board: Personas, provider: Provider
) -> None:
    for _ in range(30):
        answer = await client.get("/auth/oidc/callback?code=x&state=forged")
        assert answer.status_code == 400
    limited = await client.get("/auth/oidc/callback?code=x&state=forged")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
    assert "Too many sign-in attempts from your network" in page_text(limited.text)
    assert await AuditEntry.count().where(AuditEntry.action == "sso.refused") == 30
    # A good sign-in from the same network still works.
    provider.set_person("u-9700", email="ok@example.com", name="Still Fine")
    answer = await company_sign_in(client, provider, "u-9700")
    assert answer.status_code == 303


async def test_ideaboard_check_asks_the_provider(settings: Settings, provider: Provider) -> None:
    from dataclasses import replace

    from ideaboard.checks import check_company_sign_in

    plain_http, found = await check_company_sign_in(settings)  # the test provider's http
    assert not plain_http.ok and not plain_http.fatal
    assert found.ok and "auth/oidc/callback" in found.detail
    down = replace(settings, oidc=sso_settings("http://127.0.0.1:9"))
    findings = await check_company_sign_in(down)
    assert [f.ok for f in findings] == [False, False] and not any(f.fatal for f in findings)
    assert "did not answer" in findings[1].detail
    production = replace(settings, environment="production")
    assert (await check_company_sign_in(production))[0].fatal  # plain http in production
    wrong = replace(settings, oidc=sso_settings(provider.url + "/realms/nowhere"))
    assert "HTTPStatusError" in (await check_company_sign_in(wrong))[-1].detail


@pytest.mark.parametrize("query", ["", "?state=", "?state=%C3%A9t%C3%A9&code=x", "?code=%00"])
async def test_odd_callbacks_get_the_page_not_an_error(
    client: Client, board: Personas, query: str
) -> None:
    await client.get("/auth/oidc/start")  # a state cookie in the browser
    answer = await client.get("/auth/oidc/callback" + query)
    assert answer.status_code == 400, answer.text
    text = page_text(answer.text)
    assert "Company sign-in did not work" in text or "character that cannot be used" in text


async def test_control_characters_in_claims_never_reach_the_database(
    client: Client, board: Personas, provider: Provider
) -> None:
    provider.set_person("u-9800", email="nul@example.com", name="Nul\u0000 Person")
    answer = await company_sign_in(client, provider, "u-9800")
    assert answer.status_code == 303
    person = await User.select().where(User.email == "nul@example.com").first()
    assert person["name"] == "Nul Person"
