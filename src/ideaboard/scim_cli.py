"""`ideaboard scim-token create|list|revoke`: provisioning tokens for automation."""

from __future__ import annotations

import sys

from ideaboard import db
from ideaboard.services import scim_tokens
from ideaboard.services.errors import NotFound, ValidationFailed
from ideaboard.settings import Settings


async def scim_token(settings: Settings, command: str, *, name: str, token_id: int) -> int:
    async with db.connected(settings.database_url):
        if command == "create":
            try:
                token, secret = await scim_tokens.make_token(None, name)
            except ValidationFailed as failed:
                print(" ".join(failed.errors.values()), file=sys.stderr)
                return 2
            print(secret)  # alone on stdout, for scripts
            print(
                f"Token {token.id} “{token.name}” made; it is shown only this once."
                f" SCIM endpoint: {settings.effective_base_url}/scim/v2",
                file=sys.stderr,
            )
            return 0
        if command == "revoke":
            try:
                token = await scim_tokens.revoke_token(None, token_id)
            except NotFound:
                print(f"There is no token {token_id}.", file=sys.stderr)
                return 2
            print(f"Token {token.id} “{token.name}” is revoked.")
            return 0
        for token in await scim_tokens.list_tokens(None):
            used = (
                token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
            )
            revoked = ", revoked" if token.revoked_at else ""
            print(f"{token.id}\t…{token.hint}\t{token.name}\t(last used {used}{revoked})")
        return 0
