"""First-run setup, sign-up, sign-in, sign-out, sessions and cookies."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher

from conftest import PASSWORD, Client, Personas
from ideaboard.services.clock import now
from ideaboard.services.sessions import count_user_sessions, create_session
from ideaboard.tables import Department, Organisation, Session, User

SETUP = {
    "organisation_name": "Acme Logistics",
    "name": "Ada Admin",
    "email": "Ada@Example.com ",
    "password": "correct horse battery",
    "department_name": "Operations",
}


async def test_empty_board_sends_every_page_to_setup(client: Client) -> None:
    for url in ["/", "/login", "/signup", "/ideas/new", "/admin", "/ideas/1"]:
        response = await client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"] == "/setup"


async def test_health_and_static_files_work_before_setup(client: Client) -> None:
    assert (await client.get("/healthz")).status_code == 200
    response = await client.get("/static/app.css")
    assert response.status_code == 200
    assert "text/css" in response.headers["content-type"]


async def test_setup_creates_organisation_admin_and_signs_in(client: Client) -> None:
    page = await client.get("/setup")
    assert page.status_code == 200
    assert "Create board" in page.text

    response = await client.post("/setup", SETUP)
    assert response.status_code == 303
    assert response.headers["location"] == "/"

    organisation = await Organisation.select().first()
    assert organisation["name"] == "Acme Logistics"
    admin = await User.select().first()
    assert admin["email"] == "ada@example.com"
    assert admin["role"] == "admin"
    assert admin["password_hash"].startswith("$argon2id$")
    assert await Department.count() == 1

    board = await client.get("/")
    assert board.status_code == 200
    assert "Acme Logistics" in board.text
    assert "Sign out" in board.text


async def test_setup_is_gone_for_good_once_done(client: Client) -> None:
    await client.post("/setup", SETUP)
    await client.logout()
    assert (await client.get("/setup")).status_code == 404
    again = await client.post("/setup", {**SETUP, "email": "eve@example.com"})
    assert again.status_code == 404
    assert await User.count() == 1


async def test_setup_bad_input_keeps_values_and_explains(client: Client) -> None:
    response = await client.post(
        "/setup", {**SETUP, "organisation_name": "", "email": "not-an-email", "password": "short"}
    )
    assert response.status_code == 422
    assert "Organisation name is required." in response.text
    assert "Enter an email address like name@example.com." in response.text
    assert "Use at least 8 characters." in response.text
    assert 'value="Ada Admin"' in response.text
    assert 'value="Operations"' in response.text
    assert await Organisation.count() == 0


async def test_signup_restricted_to_allowed_domains(client: Client, board: Personas) -> None:
    await Organisation.update({Organisation.allowed_email_domains: "acme.com"}).where(
        Organisation.id > 0
    )
    form = {
        "name": "Out Sider",
        "email": "out@gmail.com",
        "password": "a long enough passphrase",
        "department_id": str(board.it),
    }
    refused = await client.post("/signup", form)
    assert refused.status_code == 422
    assert "Sign-up is open to addresses at acme.com." in refused.text
    accepted = await client.post("/signup", {**form, "email": "in@ACME.com"})
    assert accepted.status_code == 200 and "Check your email" in accepted.text


async def test_signup_with_control_characters_is_refused_not_crashed(
    client: Client, board: Personas
) -> None:
    response = await client.post(
        "/signup",
        {
            "name": "Bad\x00Name\x07",
            "email": "ctrl@example.com",
            "password": "a long enough passphrase",
            "department_id": str(board.it),
        },
    )
    assert response.status_code == 422
    assert "Name contains characters that are not allowed." in response.text


async def test_login_with_wrong_password_says_so_and_keeps_email(
    client: Client, board: Personas
) -> None:
    response = await client.post("/login", {"email": "mia@example.com", "password": "wrong-one"})
    assert response.status_code == 422
    assert "do not match an active account" in response.text
    assert 'value="mia@example.com"' in response.text
    unknown = await client.post("/login", {"email": "nobody@example.com", "password": "x" * 9})
    assert unknown.status_code == 422
    assert "do not match an active account" in unknown.text


async def test_login_rotates_session_and_logout_ends_it(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    first = client.http.cookies.get("ideaboard_session")
    await client.login("mia@example.com")
    second = client.http.cookies.get("ideaboard_session")
    assert first and second and first != second
    assert await count_user_sessions(board.mia.id) == 1  # the old one was removed

    await client.logout()
    assert await count_user_sessions(board.mia.id) == 0
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_login_returns_to_the_page_asked_for_but_never_off_site(
    client: Client, board: Personas
) -> None:
    redirect = await client.get("/ideas/new", follow_redirects=False)
    assert redirect.headers["location"] == "/login?next=%2Fideas%2Fnew"
    response = await client.post(
        "/login", {"email": "mia@example.com", "password": PASSWORD, "next": "/ideas/new"}
    )
    assert response.headers["location"] == "/ideas/new"
    await client.logout()
    evil = await client.post(
        "/login", {"email": "mia@example.com", "password": PASSWORD, "next": "//evil.example"}
    )
    assert evil.headers["location"] == "/"


async def test_session_cookie_is_httponly_and_samesite_lax(client: Client, board: Personas) -> None:
    response = await client.login("mia@example.com")
    cookie = next(
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and value.startswith("ideaboard_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over http in the tests


async def test_sessions_live_in_the_database(client: Client, board: Personas) -> None:
    await client.login("otto@example.com")
    token = client.http.cookies.get("ideaboard_session")
    assert token
    stored = await Session.select(Session.token_hash).first()
    assert stored["token_hash"] != token  # only a hash of the token is kept
    assert len(stored["token_hash"]) == 64


async def test_login_rehashes_a_password_hashed_with_old_parameters(
    client: Client, board: Personas
) -> None:
    weak = PasswordHasher(memory_cost=512, time_cost=1).hash(PASSWORD)
    await User.update({User.password_hash: weak}).where(User.id == board.otto.id)
    await client.login("otto@example.com")
    rehashed = await User.select(User.password_hash).where(User.id == board.otto.id).first()
    assert rehashed["password_hash"] != weak
    assert "m=1024,t=1" in rehashed["password_hash"]


async def test_signed_in_visitor_skips_signup_and_login(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    assert (await client.get("/signup", follow_redirects=False)).status_code == 303
    assert (await client.get("/login", follow_redirects=False)).status_code == 303


def session_cookie_header(response: Any) -> str | None:
    return next(
        (
            value
            for key, value in response.headers.multi_items()
            if key == "set-cookie" and value.startswith("ideaboard_session=")
        ),
        None,
    )


async def test_a_session_in_use_is_renewed_with_its_cookie(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    quiet = await client.get("/")
    assert session_cookie_header(quiet) is None  # a fresh session needs no renewal

    soon = now() + timedelta(days=2)  # past half of the 30-day life
    await Session.update({Session.expires_at: soon}).where(Session.account == board.mia.id)
    renewed = await client.get("/")
    cookie = session_cookie_header(renewed)
    assert cookie is not None and "Max-Age=2592000" in cookie and "HttpOnly" in cookie
    stored = await Session.select(Session.expires_at).first()
    assert stored["expires_at"] > now() + timedelta(days=29)


async def test_signing_out_is_not_undone_by_a_renewal(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    await Session.update({Session.expires_at: now() + timedelta(days=2)}).where(
        Session.account == board.mia.id
    )
    response = await client.logout()
    cookies = [
        value
        for key, value in response.headers.multi_items()
        if key == "set-cookie" and value.startswith("ideaboard_session=")
    ]
    assert len(cookies) == 1  # only the sign-out's own cookie: the session is cleared
    assert cookies[0].startswith('ideaboard_session=""') and "Max-Age=0" in cookies[0]
    assert await Session.count() == 0


async def test_people_update_their_own_name_and_department(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    page = await client.get("/account")
    assert 'value="Mia Member"' in page.text
    response = await client.post("/account", {"name": "Mia Moved", "department_id": str(board.it)})
    assert response.status_code == 303
    user = await User.select().where(User.id == board.mia.id).first()
    assert (user["name"], user["department"]) == ("Mia Moved", board.it)
    assert "Your account is saved." in (await client.get("/account")).text  # said once
    assert "Your account is saved." not in (await client.get("/account")).text
    assert "Mia Moved" in (await client.get("/")).text

    bad = await client.post("/account", {"name": "", "department_id": "999"})
    assert bad.status_code == 422
    assert "Name is required." in bad.text
    assert "Choose your department from the list." in bad.text


async def test_changing_password_needs_the_current_one_and_ends_other_sessions(
    client: Client, board: Personas
) -> None:
    await client.login("mia@example.com")
    await client.login("mia@example.com")  # rotates: still one session in this browser
    await create_session(board.mia.id, lifetime=timedelta(days=1))  # a second device
    assert await count_user_sessions(board.mia.id) == 2

    wrong = await client.post(
        "/account/password", {"current_password": "nope", "new_password": "short"}
    )
    assert wrong.status_code == 422
    assert "That is not your current password." in wrong.text
    assert "Use at least 8 characters." in wrong.text

    done = await client.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
    )
    assert done.status_code == 303
    assert await count_user_sessions(board.mia.id) == 1  # this one stays, the other ends
    assert (await client.get("/", follow_redirects=False)).status_code == 200

    await client.logout()
    refused = await client.post("/login", {"email": "mia@example.com", "password": PASSWORD})
    assert refused.status_code == 422
    await client.login("mia@example.com", "a brand new passphrase")
