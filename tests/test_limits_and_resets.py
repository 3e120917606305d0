"""Abuse limits (shared through the database) and password reset by emailed link."""

from __future__ import annotations

import re

import pytest

from conftest import PASSWORD, Client, Personas, make_idea, session_cookie_for
from ideaboard.mail.mailer import Mailer
from ideaboard.services import limits
from ideaboard.services.limits import LIMITS
from ideaboard.tables import OutboxEmail, PasswordReset, RateLimit, Session
from smtp_sink import Sink, parts


async def test_sign_in_is_throttled_per_account_before_the_password_is_checked(
    client: Client, board: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = []
    passwords = client.http._transport.app.state.passwords  # type: ignore[attr-defined]
    original = passwords.verify

    async def counting_verify(*args: object) -> bool:
        checked.append(1)
        return await original(*args)

    monkeypatch.setattr(passwords, "verify", counting_verify)
    allowed = LIMITS["login:account"].hits
    for _ in range(allowed):
        response = await client.post("/login", {"email": "MIA@example.com", "password": "wrong"})
        assert response.status_code == 422
    refused = await client.post("/login", {"email": "mia@example.com", "password": PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60 + 1
    assert "Too many sign-in attempts for this account" in refused.text
    assert 'value="mia@example.com"' in refused.text  # kept
    assert len(checked) == allowed  # the refused attempt never reached the hash
    # Another account from the same address is not locked out by Mia's.
    assert (
        await client.post("/login", {"email": "otto@example.com", "password": PASSWORD})
    ).status_code == 303


async def test_a_successful_sign_in_clears_the_accounts_failures(
    client: Client, board: Personas
) -> None:
    for _ in range(LIMITS["login:account"].hits - 1):
        await client.post("/login", {"email": "mia@example.com", "password": "wrong"})
    assert (await client.login(board.mia.email)).status_code == 303
    await client.logout()
    for _ in range(LIMITS["login:account"].hits - 1):
        assert (
            await client.post("/login", {"email": "mia@example.com", "password": "wrong"})
        ).status_code == 422


async def test_limits_count_in_the_database_for_every_process(board: Personas) -> None:
    limit = LIMITS["idea:user"]
    for _ in range(limit.hits):
        await limits.hit("idea:user", "42")
    with pytest.raises(limits.RateLimited) as refused:
        await limits.hit("idea:user", "42")
    assert refused.value.retry_after > 0
    row = await RateLimit.select(RateLimit.hits).where(RateLimit.key == "idea:user:42").first()
    assert row == {"hits": limit.hits + 1}


async def test_posting_ideas_is_limited_per_person_with_the_input_kept(
    client: Client, board: Personas
) -> None:
    for _ in range(LIMITS["idea:user"].hits):
        await limits.hit("idea:user", str(board.mia.id))
    await client.login(board.mia.email)
    response = await client.post(
        "/ideas", {"title": "One more idea", "body": "Details", "department_id": str(board.it)}
    )
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert "You have proposed many ideas in the last hour" in response.text
    assert 'value="One more idea"' in response.text
    idea = await make_idea(board.ada, board.it)
    for _ in range(LIMITS["comment:user"].hits):
        await limits.hit("comment:user", str(board.mia.id))
    comment = await client.post(f"/ideas/{idea}/comments", {"body": "Me too"}, htmx=True)
    assert comment.status_code == 429 and "Me too" in comment.text
    # Moderators and admins are trusted: no limit on their posts.
    for _ in range(LIMITS["idea:user"].hits):
        await limits.hit("idea:user", str(board.ada.id))
    await client.logout()
    await client.login(board.ada.email)
    response = await client.post(
        "/ideas", {"title": "Admin idea", "body": "Details", "department_id": str(board.it)}
    )
    assert response.status_code == 303


async def test_password_reset_by_emailed_link(
    client: Client, board: Personas, mailer: Mailer, sink: Sink
) -> None:
    client.http._transport.app.state.mailer = mailer  # type: ignore[attr-defined]
    await session_cookie_for(board.mia.id)  # signed in on another device: to be ended
    login = await client.get("/login")
    assert "Forgot your password?" in login.text
    known = await client.post("/password/forgot", {"email": "Mia@Example.com"})
    unknown = await client.post("/password/forgot", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    scrub = lambda text: text.replace("Mia@Example.com", "X").replace("nobody@example.com", "X")  # noqa: E731
    assert scrub(known.text) == scrub(unknown.text)  # the same answer either way
    assert await OutboxEmail.count() == 1
    await mailer.deliver()
    [message] = sink.messages
    assert message["To"] == board.mia.email
    text, html = parts(message)
    link = re.search(r"https://ideas\.acme\.example(/password/reset/[\w-]+)", text)
    assert link is not None and link.group(1) in html
    path = link.group(1)

    form = await client.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.text
    weak = await client.post(path, {"new_password": "short"})
    assert weak.status_code == 422 and "at least" in weak.text.lower()
    done = await client.post(path, {"new_password": "a brand new passphrase"})
    assert done.status_code == 303
    # Every earlier session ended; the person is signed in with a fresh one.
    assert await Session.count().where(Session.account == board.mia.id) == 1
    again = await client.get(path)
    assert again.status_code == 410 and "expired or was already used" in again.text
    reused = await client.post(path, {"new_password": "yet another passphrase"})
    assert reused.status_code == 422
    await client.logout()
    assert (await client.login(board.mia.email, "a brand new passphrase")).status_code == 303
    assert await PasswordReset.count().where(PasswordReset.used_at.is_null()) == 0


@pytest.mark.parametrize("token", ["nope", "x" * 500, "%00", "..%2F..%2Fetc"])
async def test_bad_reset_links_are_explained(client: Client, board: Personas, token: str) -> None:
    response = await client.get(f"/password/reset/{token}")
    assert response.status_code in {404, 410}
    if response.status_code == 410:
        assert "Ask for a new link" in response.text
    post = await client.post(f"/password/reset/{token}", {"new_password": "a long passphrase"})
    assert post.status_code in {404, 422}


async def test_reset_requests_are_limited(client: Client, board: Personas) -> None:
    for _ in range(LIMITS["reset:account"].hits):
        assert (
            await client.post("/password/forgot", {"email": "mia@example.com"})
        ).status_code == 200
    refused = await client.post("/password/forgot", {"email": "mia@example.com"})
    assert refused.status_code == 429 and "Too many password reset requests" in refused.text


async def test_successful_sign_ins_do_not_use_up_the_addresss_limit(
    client: Client, board: Personas
) -> None:
    """A whole office behind one address signs in on Monday morning."""
    for _ in range(LIMITS["login:ip"].hits + 5):
        assert (await client.login(board.mia.email)).status_code == 303
        await client.logout()
