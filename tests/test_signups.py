"""Sign-up by confirmed address, and no account enumeration anywhere a stranger types an
email: sign-up, sign-in and password reset answer alike for taken and free addresses."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from conftest import Client, Personas
from ideaboard.mail.mailer import Mailer
from ideaboard.services import password_resets, signups
from ideaboard.services.clock import now
from ideaboard.services.limits import LIMITS
from ideaboard.tables import Department, OutboxEmail, SignupRequest, User
from smtp_sink import Sink, parts

SAM = "sam@example.com"


def sign_up_form(board: Personas, email: str = SAM, **changes: str) -> dict[str, str]:
    return {
        "name": "Sam Support",
        "email": email,
        "password": "a long enough passphrase",
        "department_id": str(board.customer_service),
        **changes,
    }


@pytest.fixture
def mail(client: Client, mailer: Mailer, sink: Sink) -> Callable[[str], Any]:
    """The app emails through the SMTP sink; `mail(address)` delivers what waits in the
    outbox and returns the newest message to that address."""
    client.http._transport.app.state.mailer = mailer  # type: ignore[attr-defined]

    async def newest_to(address: str) -> Any:
        await mailer.deliver()
        messages = sink.to(address)
        assert messages, f"no email to {address}"
        return messages[-1]

    return newest_to


def confirm_link(message: Any) -> str:
    text, html = parts(message)
    link = re.search(r"https://ideas\.acme\.example(/signup/confirm/[\w-]+)", text)
    assert link is not None and link.group(1) in html
    return link.group(1)


def counting(monkeypatch: pytest.MonkeyPatch, client: Client, method: str) -> list[int]:
    """Count the calls of Passwords.<method> (hash or verify) in the app."""
    calls: list[int] = []
    passwords = client.http._transport.app.state.passwords  # type: ignore[attr-defined]
    original = getattr(passwords, method)

    async def counted(*args: Any) -> Any:
        calls.append(1)
        return await original(*args)

    monkeypatch.setattr(passwords, method, counted)
    return calls


def same_page(a: Any, b: Any, *emails: str) -> bool:
    """The two answers are alike but for the address the person typed."""

    def scrub(text: str) -> str:
        for email in emails:
            text = text.replace(email, "EMAIL")
        return re.sub(r'name="_csrf_token" value="[^"]+"', "", text)

    return a.status_code == b.status_code and scrub(a.text) == scrub(b.text)


async def test_signup_confirms_the_address_then_creates_the_member(
    client: Client, board: Personas, mail: Callable[[str], Any]
) -> None:
    page = await client.get("/signup")
    assert "Customer Service" in page.text
    response = await client.post("/signup", sign_up_form(board))
    assert response.status_code == 200
    assert "Check your email" in response.text and SAM in response.text
    assert await User.count().where(User.email == SAM) == 0  # not before the address is proven

    message = await mail(SAM)
    assert message["Subject"] == "Confirm your address for the Acme idea board"
    assert message["Auto-Submitted"] == "auto-generated"
    link = confirm_link(message)

    # Opening the link (as a mail scanner would) creates nothing: the button does.
    opened = await client.get(link)
    assert opened.status_code == 200
    assert "Finish signing up" in opened.text and "Sam Support" in opened.text
    assert "Customer Service" in opened.text and "Create my account" in opened.text
    assert await User.count().where(User.email == SAM) == 0

    created = await client.post(link)
    assert created.status_code == 303
    user = await User.select().where(User.email == SAM).first()
    assert user["role"] == "member" and user["department"] == board.customer_service
    assert "Sam Support" in (await client.get("/")).text  # signed in
    await client.logout()
    assert (await client.login(SAM, "a long enough passphrase")).status_code == 303
    await client.logout()

    again = await client.get(link)
    assert again.status_code == 410 and "expired or was already used" in again.text
    assert (await client.post(link)).status_code == 410
    assert await User.count().where(User.email == SAM) == 1


async def test_signup_answers_alike_for_taken_and_free_addresses(
    client: Client, board: Personas, mail: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    hashes = counting(monkeypatch, client, "hash")
    free = await client.post("/signup", sign_up_form(board, "newcomer@example.com"))
    assert len(hashes) == 1
    taken = await client.post("/signup", sign_up_form(board, board.mia.email))
    assert len(hashes) == 2  # the same work for both: the hash runs for a taken address too
    assert free.status_code == 200
    assert same_page(free, taken, "newcomer@example.com", board.mia.email)

    # The difference is only in the mailbox, which only the address's owner reads.
    note = await mail(board.mia.email)
    assert note["Subject"] == "You already have an account on the Acme idea board"
    text, _ = parts(note)
    assert "https://ideas.acme.example/login" in text
    assert "https://ideas.acme.example/password/forgot" in text
    assert "/signup/confirm/" not in text
    assert await SignupRequest.count().where(SignupRequest.email == board.mia.email) == 0
    assert await User.count().where(User.email == board.mia.email) == 1
    confirm_link(await mail("newcomer@example.com"))


async def test_sign_in_answers_alike_for_unknown_addresses(
    client: Client, board: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = counting(monkeypatch, client, "verify")
    known = await client.post("/login", {"email": board.mia.email, "password": "not hers"})
    unknown = await client.post("/login", {"email": "nobody@example.com", "password": "not hers"})
    assert known.status_code == 422
    assert same_page(known, unknown, board.mia.email, "nobody@example.com")
    assert len(checks) == 2  # a stand-in hash is checked for the unknown address


async def test_password_reset_answers_before_looking_the_address_up(
    client: Client, board: Personas, mail: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lookup and the email happen after the answer is complete, so the answer
    cannot take longer for an address with an account."""
    order: list[str] = []
    original = password_resets.request_reset

    async def recorded(*args: Any, **kwargs: Any) -> None:
        order.append("lookup")
        await original(*args, **kwargs)

    monkeypatch.setattr(password_resets, "request_reset", recorded)
    await client.get("/password/forgot")  # the CSRF cookie, before recording
    app = client.http._transport.app  # type: ignore[attr-defined]

    async def recording_app(scope: Any, receive: Any, send: Any) -> None:
        async def sending(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                order.append("answered")
            await send(message)

        await app(scope, receive, sending)

    monkeypatch.setattr(client.http._transport, "app", recording_app)  # type: ignore[attr-defined]
    known = await client.post("/password/forgot", {"email": board.mia.email})
    unknown = await client.post("/password/forgot", {"email": "nobody@example.com"})
    assert order == ["answered", "lookup", "answered", "lookup"]
    assert same_page(known, unknown, board.mia.email, "nobody@example.com")
    assert "/password/reset/" in parts(await mail(board.mia.email))[0]
    assert await OutboxEmail.count() == 1


async def test_signup_keeps_the_input_and_explains_each_refusal(
    client: Client, board: Personas
) -> None:
    response = await client.post(
        "/signup",
        sign_up_form(board, "MIA@example.com", password="password123", department_id="9999"),
    )
    assert response.status_code == 422
    assert "This password is too common" in response.text
    assert "Choose your department from the list." in response.text
    assert 'value="Sam Support"' in response.text and 'value="mia@example.com"' in response.text
    too_long = await client.post("/signup", sign_up_form(board, password="p" * 500))
    assert too_long.status_code == 422 and "Use at most 128 characters." in too_long.text
    long_ok = await client.post("/signup", sign_up_form(board, password="p" * 64 + "!"))
    assert long_ok.status_code == 200 and "Check your email" in long_ok.text
    assert await OutboxEmail.count() == 1


async def test_two_signups_for_one_address_make_one_account(
    client: Client, board: Personas, mail: Callable[[str], Any]
) -> None:
    await client.post("/signup", sign_up_form(board))
    first = confirm_link(await mail(SAM))
    await client.post("/signup", sign_up_form(board, name="Samantha", department_id=str(board.it)))
    second = confirm_link(await mail(SAM))
    assert first != second
    assert (await client.post(second)).status_code == 303
    user = await User.select().where(User.email == SAM).first()
    assert user["name"] == "Samantha" and user["department"] == board.it
    await client.logout()
    stale = await client.post(first)
    assert stale.status_code == 410 and "expired or was already used" in stale.text
    assert await User.count().where(User.email == SAM) == 1


async def test_confirming_explains_what_changed_since_signing_up(
    client: Client, board: Personas, mail: Callable[[str], Any]
) -> None:
    await client.post("/signup", sign_up_form(board))
    link = confirm_link(await mail(SAM))
    await Department.update({Department.archived: True}).where(
        Department.id == board.customer_service
    )
    archived = await client.post(link)
    assert archived.status_code == 410 and "was archived" in archived.text
    await Department.update({Department.archived: False}).where(
        Department.id == board.customer_service
    )
    # Meanwhile an admin made the account by hand (`ideaboard user add`, say).
    await User.update({User.email: SAM}).where(User.id == board.mia.id)
    taken = await client.post(link)
    assert taken.status_code == 410 and "exists already" in taken.text
    await User.update({User.email: board.mia.email}).where(User.id == board.mia.id)
    assert (await client.post(link)).status_code == 303  # nothing was used up meanwhile

    await client.logout()
    await client.post("/signup", sign_up_form(board, "late@example.com"))
    late = confirm_link(await mail("late@example.com"))
    await SignupRequest.update({SignupRequest.expires_at: now() - timedelta(minutes=1)}).where(
        SignupRequest.email == "late@example.com"
    )
    expired = await client.get(late)
    assert expired.status_code == 410 and "expired" in expired.text
    assert await signups.forget_expired() == 2  # the used one and the expired one


@pytest.mark.parametrize("token", ["nope", "x" * 500, "%00", "..%2F..%2Fetc"])
async def test_bad_confirmation_links_are_explained(
    client: Client, board: Personas, token: str
) -> None:
    people = await User.count()
    page = await client.get(f"/signup/confirm/{token}")
    assert page.status_code in (404, 410)
    post = await client.post(f"/signup/confirm/{token}")
    assert post.status_code in (404, 410)
    assert await User.count() == people


async def test_one_address_is_sent_a_few_signup_emails_at_most(
    client: Client, board: Personas
) -> None:
    for _ in range(LIMITS["signup:account"].hits):
        assert (await client.post("/signup", sign_up_form(board))).status_code == 200
    refused = await client.post("/signup", sign_up_form(board))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert "several emails to this address" in refused.text
    assert 'value="Sam Support"' in refused.text
    # The limit is the same for a taken address: it says nothing of accounts.
    for _ in range(LIMITS["signup:account"].hits):
        await client.post("/signup", sign_up_form(board, board.mia.email))
    assert (await client.post("/signup", sign_up_form(board, board.mia.email))).status_code == 429


async def test_signing_up_makes_an_imported_placeholder_theirs(
    client: Client, board: Personas, mail: Callable[[str], Any]
) -> None:
    """An import named Sam (author of an idea, voter on another): signing up with that
    address makes the same account theirs, never a second one."""
    from ideaboard.imports.own import read_template
    from ideaboard.services.importing import run_import
    from ideaboard.tables import Idea, Vote

    rows = (
        "title,author_email,author_name,voters\r\n"
        f"Night buses,{SAM},Sam S.,{board.mia.email}\r\n"
        f"Quiet room,{board.mia.email},,{SAM}\r\n"
    )
    report = await run_import(
        read_template(rows.encode(), statuses={}, default_department="Operations")
    )
    assert report.people_new == 1
    placeholder = await User.select().where(User.email == SAM).first()
    assert placeholder["placeholder"] and not placeholder["active"]
    assert (await client.post("/login", {"email": SAM, "password": "x" * 12})).status_code == 422

    await client.post("/signup", sign_up_form(board))
    created = await client.post(confirm_link(await mail(SAM)))
    assert created.status_code == 303
    accounts = await User.select().where(User.email == SAM)
    assert [row["id"] for row in accounts] == [placeholder["id"]]
    assert accounts[0]["active"] and not accounts[0]["placeholder"]
    assert accounts[0]["name"] == "Sam Support"
    assert await Idea.exists().where(Idea.author == placeholder["id"], Idea.title == "Night buses")
    assert await Vote.count().where(Vote.voter == placeholder["id"]) == 1
