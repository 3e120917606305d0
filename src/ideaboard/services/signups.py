"""Sign-up with a confirmed address.

Signing up asks for the name, address, password and department, checks them, and then
says "check your email" whatever the address is. A free address is sent a link that
creates the account; an address that already has an account is sent a note saying so,
with links to sign in and to reset the password. So sign-up tells nobody which
addresses have accounts, and every account's address is proven to belong to the person
who made it, which is what gives "sign-up is open to addresses at acme.com" its meaning.

The controller answers before `request_sign_up` runs (a background task after the
response), so the answer also takes the same time for taken and free addresses.
The link works once, for a day, and follows PasswordReset: the email carries a random
token, the database its SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from ideaboard.db import write_transaction
from ideaboard.domain import Role
from ideaboard.i18n import current_language, current_zone, gettext, in_language, lazy_gettext
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, queue_emails
from ideaboard.passwords import Passwords
from ideaboard.services.clock import now
from ideaboard.services.departments import find_department
from ideaboard.services.errors import ValidationFailed
from ideaboard.services.users import SignUp, insert_user
from ideaboard.tables import SignupRequest, User

log = logging.getLogger("ideaboard.signups")

LIFETIME = timedelta(hours=24)
TOKEN_MAX = 100
EXPIRED = lazy_gettext("This link has expired or was already used. Sign up again to get a new one.")
TAKEN = lazy_gettext(
    "An account with this address exists already. Sign in, or reset your password."
)
ARCHIVED = lazy_gettext(
    "Your department was archived after you signed up. Sign up again and choose another."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def confirm_path(token: str) -> str:
    return f"/signup/confirm/{token}"


async def request_sign_up(
    form: SignUp, department_id: int, passwords: Passwords, mailer: Mailer, *, organisation: str
) -> None:
    """Email the confirmation link, or the "you have an account" note, for a sign-up
    whose fields were checked. The same work either way: one hash, one lookup, one email."""
    password_hash = await passwords.hash(form.password)
    token = secrets.token_urlsafe(32)
    moment = now()
    async with write_transaction():
        account = (
            await User.select(User.name, User.language)
            .where(User.email == form.email, User.placeholder.eq(False))
            .first()
        )
        if account is None:
            await SignupRequest(
                token_hash=_hash(token),
                email=form.email,
                name=form.name,
                password_hash=password_hash,
                department=department_id,
                created_at=moment,
                expires_at=moment + LIFETIME,
            ).save()
            # In the language of the page they signed up on.
            language = current_language()
            template, subject = (
                "signup_confirm",
                gettext("Confirm your address for the %(organisation)s idea board",
                        organisation=organisation),
            )  # fmt: skip
            context = {"link": mailer.templates.url(confirm_path(token)), "reader_name": form.name}
        else:
            # In the account's language, which may not be this page's.
            language = account["language"] or current_language()
            with in_language(language, current_zone()):
                subject = gettext(
                    "You already have an account on the %(organisation)s idea board",
                    organisation=organisation,
                )
            template = "signup_taken"
            context = {
                "reader_name": account["name"],
                "login_link": mailer.templates.url("/login"),
                "reset_link": mailer.templates.url("/password/forgot"),
            }
        with in_language(language, current_zone()):
            text, html = mailer.templates.render(
                template,
                organisation=organisation,
                hours=int(LIFETIME.total_seconds() // 3600),
                **context,
            )
        email = Email(
            to=form.email,
            subject=subject,
            text=text,
            html=html,
            headers={"Auto-Submitted": "auto-generated"},
        )
        await queue_emails(
            [Queued(email=email, dedupe_key=f"signup:{_hash(token)[:40]}", kind="signup")],
            domain=mailer.domain,
        )


async def request_sign_up_logged(
    form: SignUp, department_id: int, passwords: Passwords, mailer: Mailer, *, organisation: str
) -> None:
    """`request_sign_up` after the response has gone: a failure can only be logged (the
    person, who saw "check your email", can sign up again)."""
    try:
        await request_sign_up(form, department_id, passwords, mailer, organisation=organisation)
    except Exception:
        log.exception("could not send the sign-up email")


@dataclass(frozen=True)
class PendingSignUp:
    id: int
    name: str
    email: str
    password_hash: str
    department_id: int
    department_name: str


async def find_sign_up(token: str) -> PendingSignUp | None:
    """The unused, unexpired sign-up behind this token, or None."""
    if not token or len(token) > TOKEN_MAX:
        return None
    row = (
        await SignupRequest.select(
            SignupRequest.id,
            SignupRequest.name,
            SignupRequest.email,
            SignupRequest.password_hash,
            SignupRequest.department.id.as_alias("department_id"),
            SignupRequest.department.name.as_alias("department_name"),
        )
        .where(
            SignupRequest.token_hash == _hash(token),
            SignupRequest.used_at.is_null(),
            SignupRequest.expires_at > now(),
        )
        .first()
    )
    return PendingSignUp(**row) if row else None


async def confirm_sign_up(token: str) -> int:
    """Create the account of a pending sign-up; returns its id. The link, and every other
    sign-up link sent to that address, stops working."""
    async with write_transaction():
        pending = await find_sign_up(token)
        if pending is None:
            raise ValidationFailed({"token": str(EXPIRED)})
        department = await find_department(pending.department_id)
        if department is None or department.archived:
            raise ValidationFailed({"token": str(ARCHIVED)})
        if await User.exists().where(User.email == pending.email, User.placeholder.eq(False)):
            raise ValidationFailed({"token": str(TAKEN)})
        used = (
            await SignupRequest.update({SignupRequest.used_at: now()})
            .where(SignupRequest.email == pending.email, SignupRequest.used_at.is_null())
            .returning(SignupRequest.id)
        )
        if pending.id not in {row["id"] for row in used}:  # used a moment ago in another tab
            raise ValidationFailed({"token": str(EXPIRED)})
        claimed = await claim_placeholder(pending)
        if claimed is not None:
            return claimed
        try:
            return await insert_user(
                name=pending.name,
                email=pending.email,
                password_hash=pending.password_hash,
                department_id=pending.department_id,
                role=Role.MEMBER,
            )
        except ValidationFailed:  # the address was taken in the meantime
            raise ValidationFailed({"token": str(TAKEN)}) from None


async def claim_placeholder(pending: PendingSignUp) -> int | None:
    """The placeholder account an import made for this address, now theirs (with their
    name, password and department, and every idea, vote and comment it holds)."""
    rows = (
        await User.update(
            {
                User.name: pending.name,
                User.password_hash: pending.password_hash,
                User.department: pending.department_id,
                User.active: True,
                User.placeholder: False,
                User.digest_enabled: True,
            }
        )
        .where(User.email == pending.email, User.placeholder.eq(True))
        .returning(User.id)
    )
    return int(rows[0]["id"]) if rows else None


async def forget_expired() -> int:
    """Drop sign-ups and their password hashes once they can no longer be used (nightly)."""
    rows = (
        await SignupRequest.delete()
        .where((SignupRequest.expires_at < now()) | SignupRequest.used_at.is_not_null())
        .returning(SignupRequest.id)
    )
    return len(rows)
