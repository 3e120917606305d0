"""People: sign-up, sign-in, and what admins change about them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from ideaboard.db import contains_pattern, is_unique_violation, write_transaction
from ideaboard.domain import Actor, Role, can_administer, can_change_person
from ideaboard.i18n import LANGUAGES, gettext, lazy_gettext
from ideaboard.notification_kinds import Delivery, NotificationKind, delivery_for
from ideaboard.passwords import Passwords, password_problem
from ideaboard.services import organisation
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.departments import find_department
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.forms import Form
from ideaboard.services.notifications import parse_prefs
from ideaboard.services.password_resets import end_reset_links
from ideaboard.services.sessions import remove_other_sessions, remove_user_sessions
from ideaboard.services.validation import (
    check_email,
    check_text,
    has_control_characters,
    normalise_email,
    parse_id,
)
from ideaboard.tables import User

NAME_MAX = 80
EMAIL_TAKEN = lazy_gettext("An account with this email already exists. Sign in instead.")


@dataclass(frozen=True)
class SignUp(Form):
    name: str = ""
    email: str = ""
    password: str = ""
    department_id: str = ""

    UNSTRIPPED = frozenset({"password"})

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "email", normalise_email(self.email))

    def errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        check_text(errors, "name", self.name, label=gettext("Name"), max_length=NAME_MAX)
        check_email(errors, "email", self.email)
        problem = password_problem(self.password)
        if problem:
            errors["password"] = problem
        return errors


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    email: str
    role: Role
    active: bool
    department_id: int
    department_name: str
    created_at: datetime
    digest_enabled: bool = True
    notification_prefs: dict[str, str] = field(default_factory=dict)
    language: str = ""  # "" follows the organisation's
    oidc_subject: str | None = None  # linked to the company sign-in
    feed_generation: int = 0  # what their feed links are signed with (services.feeds)
    listed_as_contributor: bool = True  # named in /insights' contributors
    placeholder: bool = False  # made by an import, waiting for them (services.importing)

    def delivery(self, kind: NotificationKind) -> Delivery:
        return delivery_for(kind, self.notification_prefs)


USER_COLUMNS = (
    User.id,
    User.name,
    User.email,
    User.role,
    User.active,
    User.department.id.as_alias("department_id"),
    User.department.name.as_alias("department_name"),
    User.created_at,
    User.digest_enabled,
    User.notification_prefs,
    User.language,
    User.oidc_subject,
    User.feed_generation,
    User.listed_as_contributor,
    User.placeholder,
)


def _row(record: dict[str, Any]) -> UserRow:
    return UserRow(
        **{
            **record,
            "role": Role(record["role"]),
            "notification_prefs": parse_prefs(record["notification_prefs"]),
        }
    )


async def insert_user(
    *, name: str, email: str, password_hash: str, department_id: int, role: Role
) -> int:
    user = User(
        name=name,
        email=email,
        password_hash=password_hash,
        department=department_id,
        role=role.value,
        created_at=now(),
    )
    try:
        await user.save()
    except Exception as error:
        if is_unique_violation(error):
            raise ValidationFailed({"email": str(EMAIL_TAKEN)}) from None
        raise
    return int(user.id)


async def check_sign_up(form: SignUp) -> int:
    """The department id of a sign-up whose fields are all acceptable; every refusal is
    a message on the field it concerns. Says nothing of whether the address has an
    account (services/signups.py deals with that, by email)."""
    errors = form.errors()
    department_id = parse_id(form.department_id)
    department = await find_department(department_id) if department_id else None
    if department is None or department.archived:
        errors["department_id"] = gettext("Choose your department from the list.")
    if "email" not in errors:
        problem = await organisation.email_domain_problem(form.email)
        if problem:
            errors["email"] = problem
    if errors:
        raise ValidationFailed(errors)
    assert department is not None
    return department.id


async def authenticate(email: str, password: str, passwords: Passwords) -> int | None:
    """The id of the active user with these credentials, or None (same cost either way)."""
    address = normalise_email(email)
    # An address no account can have is looked up as an unknown one (same cost).
    record = (
        None
        if has_control_characters(address) or len(address) > 254
        else await User.select(User.id, User.password_hash, User.active)
        .where(User.email == address)
        .first()
    )
    password_hash = record["password_hash"] if record else None
    if not await passwords.verify(password_hash, password) or record is None:
        return None
    if not record["active"]:
        return None
    if passwords.needs_rehash(record["password_hash"]):
        new_hash = await passwords.hash(password)
        await User.update({User.password_hash: new_hash}).where(User.id == record["id"])
    return int(record["id"])


async def get_user(user_id: int) -> UserRow:
    record = await User.select(*USER_COLUMNS).where(User.id == user_id).first()
    if record is None:
        raise NotFound(gettext("This person does not exist."))
    return _row(record)


async def find_user_by_email(email: str) -> UserRow | None:
    address = normalise_email(email)
    if has_control_characters(address) or len(address) > 254:
        return None
    record = await User.select(*USER_COLUMNS).where(User.email == address).first()
    return _row(record) if record else None


async def list_users(actor: Actor, *, query: str = "", limit: int = 200) -> list[UserRow]:
    require(can_administer(actor))
    select = (
        User.select(*USER_COLUMNS).where(User.erased_at.is_null()).order_by(User.name).limit(limit)
    )
    if query.strip():
        pattern = contains_pattern(query.strip())
        select = select.where(
            WhereRaw(
                "(LOWER(account.email) LIKE {} ESCAPE '\\'"
                " OR LOWER(account.name) LIKE {} ESCAPE '\\')",
                pattern,
                pattern,
            )
        )
    return [_row(record) for record in await select]


async def count_users() -> int:
    return await User.count().where(User.erased_at.is_null())


async def _get_changeable(user_id: int) -> UserRow:
    """Someone an admin may change: not erased (services.erasure)."""
    record = (
        await User.select(*USER_COLUMNS).where(User.id == user_id, User.erased_at.is_null()).first()
    )
    if record is None:
        raise NotFound(gettext("This person does not exist."))
    return _row(record)


async def _check_not_last_admin(user_id: int) -> None:
    others = await User.count().where(
        User.role == Role.ADMIN.value, User.active.eq(True), User.id != user_id
    )
    if others == 0:
        raise ValidationFailed({"role": gettext("The board needs at least one active admin.")})


def _require_someone_else(actor: Actor, user_id: int, field: str) -> None:
    """Admins only; and not on themselves, which is said next to the field."""
    require(can_administer(actor))
    verdict = can_change_person(actor, user_id)
    if not verdict:
        raise ValidationFailed({field: verdict.reason})


async def set_role(actor: Actor, user_id: int, role_value: str) -> UserRow:
    _require_someone_else(actor, user_id, "role")
    try:
        role = Role(role_value)
    except ValueError:
        raise ValidationFailed({"role": gettext("Choose member, moderator or admin.")}) from None
    async with write_transaction():
        user = await _get_changeable(user_id)
        if user.role is Role.ADMIN and role is not Role.ADMIN:
            await _check_not_last_admin(user_id)
        await User.update({User.role: role.value}).where(User.id == user_id)
        await add_audit(
            actor, "user.role", target_type="user", target_id=user_id,
            summary=f"{user.name}: {user.role.label} → {role.label}",
            before=user.role.value, after=role.value,
        )  # fmt: skip
    return await get_user(user_id)


async def set_active(actor: Actor, user_id: int, active: bool) -> UserRow:
    """Deactivating someone also ends every session they have, at once."""
    _require_someone_else(actor, user_id, "active")
    async with write_transaction():
        user = await _get_changeable(user_id)
        if not active and user.role is Role.ADMIN:
            await _check_not_last_admin(user_id)
        await User.update(
            {User.active: active, User.deactivated_at: None if active else now()}
        ).where(User.id == user_id)
        if not active:
            await remove_user_sessions(user_id)
        await add_audit(
            actor, "user.active", target_type="user", target_id=user_id,
            summary=f"{user.name} {'reactivated' if active else 'deactivated'}",
            before=user.active, after=active,
        )  # fmt: skip
    return await get_user(user_id)


@dataclass(frozen=True)
class ProfileForm:
    name: str
    department_id: str
    digest_enabled: bool = True
    listed_as_contributor: bool = True
    # Only the kinds the form sent; the others keep their current choice.
    notification_prefs: dict[str, str] = field(default_factory=dict)
    language: str | None = None  # None: not sent, keep it

    @classmethod
    def from_form(cls, form: Any) -> ProfileForm:
        return cls(
            name=form.get("name", "").strip(),
            department_id=form.get("department_id", ""),
            digest_enabled=form.get("digest_enabled") == "on",
            listed_as_contributor=form.get("listed_as_contributor") == "on",
            notification_prefs={
                kind.value: form[f"notify_{kind.value}"]
                for kind in NotificationKind
                if f"notify_{kind.value}" in form
            },
            language=form.get("language"),
        )


async def update_profile(actor: Actor, form: ProfileForm) -> UserRow:
    """People keep their own name and department up to date (they move, too)."""
    errors: dict[str, str] = {}
    check_text(errors, "name", form.name, label=gettext("Name"), max_length=NAME_MAX)
    department_id = parse_id(form.department_id)
    department = await find_department(department_id) if department_id else None
    if department is None or department.archived:
        errors["department_id"] = gettext("Choose your department from the list.")
    for kind, choice in form.notification_prefs.items():
        if choice not in Delivery.__members__.values():
            errors[f"notify_{kind}"] = gettext("Choose one of the options.")
    if form.language and form.language not in LANGUAGES:
        errors["language"] = gettext("Choose one of the languages in the list.")
    if errors:
        raise ValidationFailed(errors)
    assert department is not None
    async with write_transaction():
        current = await get_user(actor.id)
        prefs = {
            kind.value: (form.notification_prefs.get(kind.value) or current.delivery(kind).value)
            for kind in NotificationKind
        }
        await User.update(
            {
                User.name: form.name,
                User.department: department.id,
                User.digest_enabled: form.digest_enabled,
                User.listed_as_contributor: form.listed_as_contributor,
                User.notification_prefs: json.dumps(prefs),
                User.language: current.language if form.language is None else form.language,
            }
        ).where(User.id == actor.id)
    return await get_user(actor.id)


async def change_password(
    actor: Actor, *, current: str, new: str, passwords: Passwords, keep_session: str
) -> None:
    """A new password, given the current one; every other session of theirs ends, and
    every password reset link they were sent."""
    record = await User.select(User.password_hash).where(User.id == actor.id).first()
    if record is None:
        raise NotFound(gettext("This person does not exist."))
    errors: dict[str, str] = {}
    if not await passwords.verify(record["password_hash"], current):
        errors["current_password"] = gettext("That is not your current password.")
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    if errors:
        raise ValidationFailed(errors)
    new_hash = await passwords.hash(new)
    async with write_transaction():
        await User.update({User.password_hash: new_hash}).where(User.id == actor.id)
        await remove_other_sessions(actor.id, keep=keep_session)
        await end_reset_links(actor.id)
