"""Tokens and secrets from the command line: `ideaboard scim-token create|list|revoke`
for the directory's provisioning, `ideaboard token create` for a person's API access,
`ideaboard webhook add|list` for webhooks and their signing secrets."""

from __future__ import annotations

import sys

from ideaboard import db
from ideaboard.services import api_tokens, scim_tokens, webhooks
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


async def api_token(settings: Settings, *, email: str, scope: str, days: str, name: str) -> int:
    """A personal access token for the person with this email, printed once."""
    try:
        name, scope, lifetime = api_tokens.check_token_form(name, scope, days)
    except ValidationFailed as failed:
        print(" ".join(failed.errors.values()), file=sys.stderr)
        return 2
    async with db.connected(settings.database_url):
        user_id = await api_tokens.user_id_for_email(email)
        if user_id is None:
            print(f"Nobody on the board has the email {email}.", file=sys.stderr)
            return 2
        token, secret = await api_tokens.make_token(user_id, name, scope, lifetime)
    print(secret)  # alone on stdout, for scripts
    expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
    print(f"Token “{token.name}” for {email}: {scope}, {expiry}; shown only this once."
          f" API: {settings.effective_base_url}/api/v1", file=sys.stderr)  # fmt: skip
    return 0


async def webhook(
    settings: Settings, command: str, *, url: str, events: str, description: str
) -> int:
    """`webhook add` prints the new endpoint's signing secret alone on stdout; `webhook
    list` shows each endpoint, its events and whether it is on."""
    async with db.connected(settings.database_url):
        if command == "add":
            try:
                endpoint_id, secret = await webhooks.add_endpoint(None, url, events, description)
            except ValidationFailed as failed:
                print(" ".join(failed.errors.values()), file=sys.stderr)
                return 2
            print(secret)  # alone on stdout, for scripts
            print(f"Webhook {endpoint_id} to {url} added; its signing secret is shown only"
                  f" this once. Deliveries: {settings.effective_base_url}/admin/webhooks/"
                  f"{endpoint_id}", file=sys.stderr)  # fmt: skip
            return 0
        for row in await webhooks.list_endpoints(None):
            state = "on" if row.active else f"off ({row.disabled_reason})"
            print(f"{row.id}\t{row.url}\t{row.events}\t{state}")
        return 0
