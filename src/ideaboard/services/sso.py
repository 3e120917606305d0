"""Company sign-in (OpenID Connect): the attempt under way, and who the provider's claims
are on this board. The directory is the source of truth for a person's name, department
and (where configured) role, read again at every sign-in."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.i18n import lazy_gettext
from ideaboard.oidc import Authorization, claim_values
from ideaboard.services import organisation
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.departments import department_named, list_departments
from ideaboard.services.validation import has_control_characters, normalise_email
from ideaboard.settings import OidcSettings
from ideaboard.tables import SignInAttempt, User

ATTEMPT_LIFETIME = timedelta(minutes=10)
# What a sign-in reads of the account it finds (by subject, else by address).
ACCOUNT = (
    User.id,
    User.email,
    User.name,
    User.role,
    User.active,
    User.department,
    User.oidc_subject,
    User.placeholder,
)
NAME_MAX = 80

# Why a company sign-in did not work: the page's status and its sentence.
REASONS: dict[str, tuple[int, Any]] = {
    "unreachable": (502, lazy_gettext(
        "We could not reach %(provider)s. Try again in a minute; if it keeps happening,"
        " tell your IT department.")),
    "cancelled": (400, lazy_gettext(
        "The sign-in was cancelled or refused at %(provider)s.")),
    "wrong_state": (400, lazy_gettext(
        "This sign-in was started in another browser or tab, or its link was changed."
        " Start again from the sign-in page.")),
    "expired": (400, lazy_gettext(
        "This sign-in took too long and has expired. Start again.")),
    "replayed": (400, lazy_gettext(
        "This sign-in link has been used already. Start again from the sign-in page.")),
    "code_refused": (400, lazy_gettext(
        "%(provider)s did not accept this sign-in; it may have been used already."
        " Start again.")),
    "bad_token": (400, lazy_gettext(
        "The answer from %(provider)s could not be verified, so nobody was signed in."
        " If this keeps happening, tell your IT department.")),
    "no_email": (403, lazy_gettext(
        "%(provider)s did not tell the board your email address, so it cannot find your"
        " account. Ask your IT department to send the email claim.")),
    "unverified_email": (403, lazy_gettext(
        "%(provider)s says your email address is not verified. Verify it there, then"
        " sign in again.")),
    "not_allowed": (403, lazy_gettext(
        "Your company account is not among the people who may use this board. Ask your"
        " IT department for access.")),
    "domain": (403, lazy_gettext(
        "This board is open to addresses at %(domains)s.")),
    "deactivated": (403, lazy_gettext(
        "Your account on this board is switched off. Ask an admin of the board to switch"
        " it back on.")),
    "taken": (403, lazy_gettext(
        "The account with your email address belongs to another company account. Ask an"
        " admin of the board.")),
}  # fmt: skip


class SignInRefused(Exception):
    """The claims do not let anyone on: `reason` is a key of REASONS."""

    def __init__(self, reason: str, **params: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


async def begin(authorization: Authorization, target: str) -> None:
    """Remember a sign-in under way (and forget those nobody finished)."""
    started = now()
    async with write_transaction():
        await SignInAttempt.delete().where(SignInAttempt.created_at < started - ATTEMPT_LIFETIME)
        await SignInAttempt.insert(
            SignInAttempt(
                state_hash=_hash(authorization.state),
                nonce=authorization.nonce,
                code_verifier=authorization.code_verifier,
                target=target,
                created_at=started,
            )
        )


@dataclass(frozen=True)
class Attempt:
    nonce: str
    code_verifier: str
    target: str


async def take_attempt(state: str) -> Attempt:
    """The attempt this callback finishes, removed so it works once; SignInRefused
    ("replayed" or "expired") otherwise."""
    async with write_transaction():
        rows = (
            await SignInAttempt.delete()
            .where(SignInAttempt.state_hash == _hash(state))
            .returning(
                SignInAttempt.nonce,
                SignInAttempt.code_verifier,
                SignInAttempt.target,
                SignInAttempt.created_at,
            )
        )
    if not rows:
        raise SignInRefused("replayed")
    row = rows[0]
    if row["created_at"] < now() - ATTEMPT_LIFETIME:
        raise SignInRefused("expired")
    return Attempt(nonce=row["nonce"], code_verifier=row["code_verifier"], target=row["target"])


def _email(claims: dict[str, Any]) -> str:
    """The `email` claim; else an address-shaped `upn` or `preferred_username`, which
    is what Microsoft Entra ID sends when no email is released."""
    for name in ("email", "upn", "preferred_username"):
        value = claims.get(name)
        if isinstance(value, str) and "@" in value:
            address = normalise_email(value)
            if not has_control_characters(address) and len(address) <= 254:
                return address
        if name == "email" and value:
            break
    return ""


def _name(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(part for part in parts if isinstance(part, str) and part.strip())
    name = "".join(c for c in " ".join(str(name or "").split()) if not has_control_characters(c))
    return (name or email.partition("@")[0])[:NAME_MAX]


def _role(values: list[str], settings: OidcSettings, current: Role) -> Role:
    if not settings.maps_roles:
        return current  # roles stay the board's to give
    if set(values) & set(settings.admin_values):
        return Role.ADMIN
    if set(values) & set(settings.moderator_values):
        return Role.MODERATOR
    return Role.MEMBER


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    name: str
    created: bool  # the first sign-in made the account
    needs_department: bool  # made without a department claim: placed in the first one


async def refuse(reason: str, claims: dict[str, Any], detail: str = "") -> None:
    """The audit line for a sign-in that did not work (no one to name as the actor)."""
    who = claims.get("email") or claims.get("sub") or "unknown"
    async with write_transaction():
        await add_audit(
            None, "sso.refused", target_type="sign-in", target_id=0,
            summary=f"{who}: {reason}", after={"reason": reason, "detail": detail[:500]},
        )  # fmt: skip


async def sign_in(claims: dict[str, Any], settings: OidcSettings) -> SignedIn:
    """The person these verified claims are: found by subject, else linked by email,
    else created; name, department and role brought up to date. SignInRefused when the
    claims do not let them on."""
    subject = str(claims.get("sub", ""))[:255]
    if has_control_characters(subject):  # no provider sends that; no database stores it
        raise SignInRefused("bad_token")
    values = claim_values(claims, settings.roles_claim)
    if settings.allowed_values and not set(values) & set(settings.allowed_values):
        raise SignInRefused("not_allowed")
    email = _email(claims)
    if not email or not subject:
        raise SignInRefused("no_email")
    if claims.get("email_verified") is False:
        raise SignInRefused("unverified_email")
    domain_problem = await organisation.email_domain_problem(email)
    if domain_problem:
        org = await organisation.get_organisation()
        raise SignInRefused("domain", domains=", ".join(org.allowed_email_domains))
    department_claim = claim_values(claims, settings.department_claim)
    name = _name(claims, email)
    async with write_transaction():
        department = await department_named(department_claim[0]) if department_claim else None
        record = await User.select(*ACCOUNT).where(User.oidc_subject == subject).first()
        linked = False
        if record is None:
            record = await User.select(*ACCOUNT).where(User.email == email).first()
            if record is not None and record["oidc_subject"] not in (None, subject):
                raise SignInRefused("taken")
            linked = record is not None
        if record is None:
            role = _role(values, settings, Role.MEMBER)
            return await _create(subject, email, name, department, role)
        if not record["active"] and not record["placeholder"]:
            raise SignInRefused("deactivated")
        role = _role(values, settings, Role(record["role"]))
        changes: dict[Any, Any] = {User.name: name, User.oidc_subject: subject}
        if department is not None:
            changes[User.department] = department
        if role.value != record["role"]:
            changes[User.role] = role.value
        if record["placeholder"]:  # named by an import: the account is theirs now
            changes |= {User.active: True, User.placeholder: False, User.digest_enabled: True}
        if email != record["email"] and await User.count().where(User.email == email) == 0:
            changes[User.email] = email  # the directory renamed the address
        await User.update(changes).where(User.id == record["id"])
        actor = Actor(id=record["id"], role=role, department_id=department or record["department"])
        if linked:
            await add_audit(
                actor, "sso.linked", target_type="user", target_id=record["id"],
                summary=f"{name} <{email}>", after={"subject": subject},
            )  # fmt: skip
        moved = department is not None and department != record["department"]
        if moved or role.value != record["role"]:
            await add_audit(
                actor, "user.directory", target_type="user", target_id=record["id"],
                summary=f"{name}: {Role(record['role']).label} → {role.label}",
                before={"role": record["role"], "department": record["department"]},
                after={"role": role.value, "department": department or record["department"]},
            )  # fmt: skip
    return SignedIn(user_id=record["id"], name=name, created=False, needs_department=False)


async def _create(
    subject: str, email: str, name: str, department: int | None, role: Role
) -> SignedIn:
    needs_department = department is None
    if department is None:
        department = (await list_departments())[0].id
    user = User(
        name=name,
        email=email,
        password_hash="",  # no password: the company signs them in
        department=department,
        role=role.value,
        oidc_subject=subject,
        created_at=now(),
    )
    await user.save()
    await add_audit(
        Actor(id=user.id, role=role, department_id=department), "sso.created",
        target_type="user", target_id=user.id, summary=f"{name} <{email}>",
        after={"subject": subject, "role": role.value, "department": department},
    )  # fmt: skip
    return SignedIn(
        user_id=int(user.id), name=name, created=True, needs_department=needs_department
    )
