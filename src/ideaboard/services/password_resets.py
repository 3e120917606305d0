"""Password reset by an emailed one-time link.

Asking answers the same way, and as fast, whether or not the email has an account
(no account enumeration: the controller sends the answer before `request_reset` runs).
The link expires after an hour and works once; setting the new password ends every
session the person had, and every other link they were sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ideaboard.db import write_transaction
from ideaboard.i18n import current_language, current_zone, gettext, in_language, lazy_gettext
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, queue_emails
from ideaboard.passwords import Passwords, password_problem
from ideaboard.services.clock import now
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.sessions import remove_user_sessions
from ideaboard.services.validation import has_control_characters, normalise_email
from ideaboard.tables import PasswordReset, User

log = logging.getLogger("ideaboard.password_resets")

LIFETIME = timedelta(hours=1)
TOKEN_MAX = 100


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_path(token: str) -> str:
    return f"/password/reset/{token}"


async def request_reset(email: str, mailer: Mailer, *, organisation_name: str) -> None:
    """Email a reset link to the active account with this address, if there is one.
    Says nothing either way: the page after it reads the same for every address."""
    address = normalise_email(email)
    if has_control_characters(address) or len(address) > 254:
        return  # no account has such an address
    async with write_transaction():
        person = (
            await User.select(User.id, User.name, User.email, User.language)
            .where(User.email == address, User.active == True)  # noqa: E712
            .first()
        )
        if person is None:
            return
        token = secrets.token_urlsafe(32)
        moment = now()
        reset = PasswordReset(
            token_hash=_hash(token),
            account=person["id"],
            created_at=moment,
            expires_at=moment + LIFETIME,
        )
        await reset.save()
        # In the account's language (the page asking may be in another).
        with in_language(person["language"] or current_language(), current_zone()):
            text, html = mailer.templates.render(
                "password_reset",
                reader_name=person["name"],
                link=mailer.templates.url(reset_path(token)),
                organisation=organisation_name,
                minutes=int(LIFETIME.total_seconds() // 60),
            )
            subject = gettext(
                "Reset your password for the %(organisation)s idea board",
                organisation=organisation_name,
            )
        email_out = Email(
            to=person["email"],
            subject=subject,
            text=text,
            html=html,
            headers={"Auto-Submitted": "auto-generated"},
        )
        await queue_emails(
            [
                Queued(
                    email=email_out, dedupe_key=f"password-reset:{reset.id}", kind="password_reset"
                )
            ],
            domain=mailer.domain,
        )


# The answer has gone when the work for a known address starts, but the reader of it may
# still be waiting for a CPU this work holds (the kernel wakes a local reader on the
# sender's core): measured, the known address's answer took 0.45 ms (6 %) longer to
# read, and none longer with this pause before the work.
AFTER_THE_ANSWER = 0.05  # seconds


async def request_reset_logged(email: str, mailer: Mailer, *, organisation_name: str) -> None:
    """`request_reset` after the response has gone: a failure can only be logged."""
    await asyncio.sleep(AFTER_THE_ANSWER)
    try:
        await request_reset(email, mailer, organisation_name=organisation_name)
    except Exception:
        log.exception("could not send the password reset email")


@dataclass(frozen=True)
class ResetLink:
    id: int
    user_id: int
    email: str


async def find_reset(token: str) -> ResetLink | None:
    """The unused, unexpired link behind this token, or None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    row = (
        await PasswordReset.select(
            PasswordReset.id,
            PasswordReset.account.id.as_alias("user_id"),
            PasswordReset.account.email.as_alias("email"),
            PasswordReset.account.active.as_alias("active"),
        )
        .where(
            PasswordReset.token_hash == _hash(token),
            PasswordReset.used_at.is_null(),
            PasswordReset.expires_at > now(),
        )
        .first()
    )
    if row is None or not row["active"]:
        return None
    return ResetLink(id=row["id"], user_id=row["user_id"], email=row["email"])


async def reset_password(token: str, new_password: str, passwords: Passwords) -> int:
    """Set the new password through a valid link; returns the person's id. The link and
    every other link of theirs stop working, and all their sessions end."""
    link = await find_reset(token)
    if link is None:
        raise ValidationFailed({"token": str(EXPIRED)})
    problem = password_problem(new_password)
    if problem:
        raise ValidationFailed({"new_password": problem})
    new_hash = await passwords.hash(new_password)  # off the event loop (Passwords)
    async with write_transaction():
        used = (
            await PasswordReset.update({PasswordReset.used_at: now()})
            .where(PasswordReset.id == link.id, PasswordReset.used_at.is_null())
            .returning(PasswordReset.id)
        )
        if not used:  # the same link, used a moment ago in another tab
            raise ValidationFailed({"token": str(EXPIRED)})
        await end_reset_links(link.user_id)
        await User.update({User.password_hash: new_hash}).where(User.id == link.user_id)
        await remove_user_sessions(link.user_id)
    return link.user_id


async def end_reset_links(user_id: int) -> None:
    """Every reset link the person was sent stops working: a password was just set, and
    a link asked for before (perhaps by someone reading their mail) must not undo it.
    Call inside the transaction that sets the password."""
    await PasswordReset.update({PasswordReset.used_at: now()}).where(
        PasswordReset.account == user_id, PasswordReset.used_at.is_null()
    )


async def forget_expired() -> int:
    """Drop links once they can no longer be used (nightly)."""
    rows = (
        await PasswordReset.delete()
        .where((PasswordReset.expires_at < now()) | PasswordReset.used_at.is_not_null())
        .returning(PasswordReset.id)
    )
    return len(rows)


EXPIRED = lazy_gettext("This link has expired or was already used. Ask for a new one below.")
