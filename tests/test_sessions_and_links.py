"""Sessions and links: the CSRF token belongs to the session, a password change ends the
reset links already sent, and text cannot reorder what is shown around it."""

from __future__ import annotations

import re

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.mail.mailer import Mailer
from ideaboard.security import local_path, session_csrf_token
from ideaboard.services.sessions import _hash
from ideaboard.settings import Settings
from ideaboard.tables import Department, Idea, Session, User
from smtp_sink import Sink, parts


async def test_the_csrf_token_is_the_sessions_own_and_changes_at_sign_in_and_out(
    client: Client, board: Personas, settings: Settings
) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.get("/login")
    visitor = client.csrf_token
    assert visitor
    await client.login(board.otto.email)
    signed_in = client.csrf_token
    session = client.http.cookies.get("ideaboard_session") or ""
    assert signed_in != visitor
    assert signed_in == session_csrf_token(settings.secret_key, session)
    assert await Session.count().where(Session.token_hash == _hash(session)) == 1
    # The page hands out the same token in its forms.
    assert f'value="{signed_in}"' in (await client.get(f"/ideas/{idea}")).text

    # A visitor's token (valid for the site, planted in the cookie and the form, as a
    # neighbouring site over plain http can) is refused once signed in.
    client.http.cookies.set("csrftoken", visitor, domain="testserver.local")
    planted = await client.http.post(
        f"/ideas/{idea}/vote", data={"voted": "1", "_csrf_token": visitor}
    )
    assert planted.status_code == 403 and "This form expired" in planted.text
    assert (await Idea.select(Idea.vote_count).where(Idea.id == idea).first())["vote_count"] == 0
    # A page puts the session's own back.
    await client.get("/")
    assert client.csrf_token == signed_in
    assert (await client.post(f"/ideas/{idea}/vote", {"voted": "1"})).status_code == 303

    await client.logout()
    assert client.csrf_token == ""  # cleared with the session
    await client.get("/login")
    assert client.csrf_token not in {"", visitor, signed_in}
    await client.login(board.otto.email)
    assert client.csrf_token not in {visitor, signed_in}  # a new session, a new token


async def test_changing_the_password_ends_reset_links_sent_before(
    client: Client, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    client.http._transport.app.state.mailer = mailer  # type: ignore[attr-defined]
    assert (await client.post("/password/forgot", {"email": board.mia.email})).status_code == 200
    await mailer.deliver()
    text, _ = parts(sink.messages[0])
    link = re.search(r"https://ideas\.acme\.example(/password/reset/[\w-]+)", text)
    assert link is not None
    assert (await client.get(link.group(1))).status_code == 200  # it works for now

    await client.login(board.mia.email)
    changed = await client.post(
        "/account/password",
        {"current_password": "persona-password-1", "new_password": "a changed passphrase"},
    )
    assert changed.status_code == 303
    await client.logout()
    stale = await client.get(link.group(1))
    assert stale.status_code == 410 and "expired or was already used" in stale.text
    takeover = await client.post(link.group(1), {"new_password": "the thief's passphrase"})
    assert takeover.status_code == 422
    assert (await client.login(board.mia.email, "a changed passphrase")).status_code == 303


RLO = "\u202e"


async def test_bidi_controls_are_taken_out_of_what_people_type(
    client: Client, board: Personas
) -> None:
    await client.login(board.mia.email)
    created = await client.post(
        "/ideas",
        {"title": f"Pay {RLO}gnp.exe invoices faster", "body": f"Body {RLO}x\u2066y\u2069",
         "department_id": str(board.operations)},
    )  # fmt: skip
    assert created.status_code == 303
    row = await Idea.select(Idea.title, Idea.body).first()
    assert row == {"title": "Pay gnp.exe invoices faster", "body": "Body xy"}
    saved = await client.post(
        "/account", {"name": f"Mia {RLO}rebmeM", "department_id": str(board.customer_service)}
    )
    assert saved.status_code == 303
    name = (await User.select(User.name).where(User.id == board.mia.id).first())["name"]
    assert name == "Mia rebmeM"
    # Marks that right-to-left writing uses stay.
    await client.post("/ideas", {"title": "שלום\u200f world", "body": "x",
                                 "department_id": str(board.operations)})  # fmt: skip
    assert await Idea.count().where(Idea.title == "שלום\u200f world") == 1
    # Names are isolated where they are shown, whatever was stored before.
    page = await client.get(f"/ideas/{(await Idea.select(Idea.id).first())['id']}")
    assert "<bdi>Mia rebmeM</bdi>" in page.text
    assert await Department.count() == 3


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/ideas/3?sort=new#comment-2", True),
        ("/", True),
        ("//evil.example/x", False),
        ("/\\evil.example", False),
        ("https://evil.example", False),
        ("javascript:alert(1)", False),
        ("ideas/3", False),
        ("/ideas/3\r\nSet-Cookie: x=1", False),
        ("/" + "a" * 2001, False),
        ("", False),
        (None, False),
    ],
)
def test_one_rule_decides_where_a_form_may_send_you_next(target: str | None, kept: bool) -> None:
    """Every `next`, `back` and Undo goes through `local_path`: a path on this board,
    never another site."""
    assert local_path(target, "/fallback") == (target if kept else "/fallback")
