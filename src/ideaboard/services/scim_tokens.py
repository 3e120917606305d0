"""Bearer tokens for the company directory's provisioning (SCIM): made by an admin at
/admin or by `ideaboard scim-token create`, shown once, kept as a SHA-256, revocable,
their last use shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, can_administer
from ideaboard.i18n import gettext
from ideaboard.services.audit import add_audit
from ideaboard.services.bearer import bearer_secret, digest, new_secret
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.validation import check_text
from ideaboard.tables import ScimToken

# Secret scanners recognise the prefix; the rest is 256 random bits.
PREFIX = "ideaboard_scim_"
NAME_MAX = 80
# A token's last use is written at most this often: not a write per SCIM request.
LAST_USE_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


async def make_token(actor: Actor | None, name: str) -> tuple[TokenRow, str]:
    """A new token and its secret (shown this once). No actor: the command line."""
    if actor is not None:
        require(can_administer(actor))
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    check_text(errors, "name", name, label=gettext("Name"), max_length=NAME_MAX)
    if errors:
        raise ValidationFailed(errors)
    made = new_secret(PREFIX)
    token = ScimToken(
        name=name,
        token_hash=made.digest,
        hint=made.hint,
        created_by=actor.id if actor else None,
        created_at=now(),
    )
    async with write_transaction():
        await token.save()
        await add_audit(
            actor, "scim.token", target_type="scim_token", target_id=token.id,
            summary=f"Made the provisioning token “{name}” (…{token.hint})",
        )  # fmt: skip
    return (await _get(token.id)), made.secret


async def _get(token_id: int) -> TokenRow:
    record = await ScimToken.select(
        ScimToken.id, ScimToken.name, ScimToken.hint, ScimToken.created_at,
        ScimToken.last_used_at, ScimToken.revoked_at,
    ).where(ScimToken.id == token_id).first()  # fmt: skip
    if record is None:
        raise NotFound(gettext("This token does not exist."))
    return TokenRow(**record)


async def list_tokens(actor: Actor | None) -> list[TokenRow]:
    """Every token, newest first. No actor: the command line."""
    if actor is not None:
        require(can_administer(actor))
    records = await ScimToken.select(
        ScimToken.id, ScimToken.name, ScimToken.hint, ScimToken.created_at,
        ScimToken.last_used_at, ScimToken.revoked_at,
    ).order_by(ScimToken.id, ascending=False)  # fmt: skip
    return [TokenRow(**record) for record in records]


async def revoke_token(actor: Actor | None, token_id: int) -> TokenRow:
    """No actor: the command line."""
    if actor is not None:
        require(can_administer(actor))
    token = await _get(token_id)
    if token.revoked_at is None:
        async with write_transaction():
            await ScimToken.update({ScimToken.revoked_at: now()}).where(ScimToken.id == token_id)
            await add_audit(
                actor, "scim.token", target_type="scim_token", target_id=token_id,
                summary=f"Revoked the provisioning token “{token.name}” (…{token.hint})",
            )  # fmt: skip
    return await _get(token_id)


async def authenticate(authorization: str) -> bool:
    """Whether an `Authorization: Bearer …` header holds a live token."""
    secret = bearer_secret(authorization, PREFIX)
    if secret is None:
        return False
    record = (
        await ScimToken.select(ScimToken.id, ScimToken.last_used_at)
        .where(ScimToken.token_hash == digest(secret), ScimToken.revoked_at.is_null())
        .first()
    )
    if record is None:
        return False
    used = now()
    if record["last_used_at"] is None or used - record["last_used_at"] >= LAST_USE_PRECISION:
        await ScimToken.update({ScimToken.last_used_at: used}).where(ScimToken.id == record["id"])
    return True
