"""Personal access tokens for the API: made by a person at /account or by `ideaboard
token create`, scoped (read, or read and write), expiring, revocable, last use shown.
A token acts as its person, with exactly their permissions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.i18n import gettext
from ideaboard.services.bearer import bearer_secret, digest, new_secret
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed
from ideaboard.services.validation import check_text, parse_id
from ideaboard.tables import ApiToken, User

PREFIX = "ideaboard_pat_"
SCOPES = ("read", "write")
NAME_MAX = 80
DAYS_MAX = 366
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    hint: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now())


COLUMNS = (
    ApiToken.id, ApiToken.name, ApiToken.hint, ApiToken.scope, ApiToken.created_at,
    ApiToken.expires_at, ApiToken.last_used_at, ApiToken.revoked_at,
)  # fmt: skip


def check_token_form(name: str, scope: str, days: str) -> tuple[str, str, int | None]:
    """The name, scope and lifetime in days (None: no expiry) a token form asks for."""
    errors: dict[str, str] = {}
    name = " ".join(name.split())
    check_text(errors, "name", name, label=gettext("Name"), max_length=NAME_MAX)
    if scope not in SCOPES:
        errors["scope"] = gettext("Choose read, or read and write.")
    lifetime = parse_id(days) if days.strip() else None
    if days.strip() and (lifetime is None or lifetime > DAYS_MAX):
        errors["days"] = gettext(
            "Give the number of days, from 1 to %(max)s, or leave it empty.", max=DAYS_MAX
        )
    if errors:
        raise ValidationFailed(errors)
    return name, scope, lifetime


async def make_token(user_id: int, name: str, scope: str, days: int | None) -> tuple[TokenRow, str]:
    """A new token for this person and its secret (shown this once)."""
    made = new_secret(PREFIX)
    created = now()
    token = ApiToken(
        account=user_id,
        name=name,
        token_hash=made.digest,
        hint=made.hint,
        scope=scope,
        created_at=created,
        expires_at=created + timedelta(days=days) if days else None,
    )
    async with write_transaction():
        await token.save()
    return await _get(user_id, token.id), made.secret


async def _get(user_id: int, token_id: int) -> TokenRow:
    record = await ApiToken.select(*COLUMNS).where(
        ApiToken.id == token_id, ApiToken.account == user_id
    ).first()  # fmt: skip
    if record is None:
        raise NotFound(gettext("This token does not exist."))
    return TokenRow(**record)


async def list_tokens(user_id: int) -> list[TokenRow]:
    records = await ApiToken.select(*COLUMNS).where(ApiToken.account == user_id).order_by(
        ApiToken.id, ascending=False
    )  # fmt: skip
    return [TokenRow(**record) for record in records]


async def revoke_token(user_id: int, token_id: int) -> TokenRow:
    """A person revokes their own tokens only (NotFound for anyone else's)."""
    token = await _get(user_id, token_id)
    if token.revoked_at is None:
        async with write_transaction():
            await ApiToken.update({ApiToken.revoked_at: now()}).where(ApiToken.id == token_id)
    return await _get(user_id, token_id)


@dataclass(frozen=True)
class Caller:
    """Who an API request acts as, and what its token allows."""

    actor: Actor
    name: str
    email: str
    language: str
    scope: str
    token_id: int

    @property
    def may_write(self) -> bool:
        return self.scope == "write"


async def authenticate(authorization: str) -> Caller | None:
    """The active person behind a live token in this header, or None."""
    secret = bearer_secret(authorization, PREFIX)
    if secret is None:
        return None
    record = await ApiToken.select(
        ApiToken.id, ApiToken.scope, ApiToken.expires_at, ApiToken.last_used_at,
        ApiToken.account.id.as_alias("user_id"), ApiToken.account.name.as_alias("name"),
        ApiToken.account.email.as_alias("email"), ApiToken.account.role.as_alias("role"),
        ApiToken.account.department.as_alias("department"),
        ApiToken.account.language.as_alias("language"),
        ApiToken.account.active.as_alias("active"),
    ).where(
        ApiToken.token_hash == digest(secret), ApiToken.revoked_at.is_null()
    ).first()  # fmt: skip
    used = now()
    if record is None or not record["active"]:
        return None
    if record["expires_at"] is not None and record["expires_at"] <= used:
        return None
    if record["last_used_at"] is None or used - record["last_used_at"] >= LAST_USE_PRECISION:
        await ApiToken.update({ApiToken.last_used_at: used}).where(ApiToken.id == record["id"])
    actor = Actor(
        id=record["user_id"], role=Role(record["role"]), department_id=record["department"]
    )
    return Caller(
        actor=actor, name=record["name"], email=record["email"], language=record["language"],
        scope=record["scope"], token_id=record["id"],
    )  # fmt: skip


async def user_id_for_email(email: str) -> int | None:
    record = await User.select(User.id).where(User.email == email.strip().lower()).first()
    return int(record["id"]) if record else None
