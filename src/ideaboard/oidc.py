"""The company's OpenID provider, spoken to through Authlib: Authorization Code with PKCE,
`state` and `nonce`; the ID token's signature (joserfc, keys from the provider's JWKS),
`iss`, `aud`, `exp`, `iat` and `nonce` checked. No database here, no pages: the sign-in
itself (who the claims are, what they may do) is services.sso's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx2
from authlib.integrations.base_client import BaseApp, OAuthError
from authlib.integrations.base_client.async_app import AsyncOAuth2Mixin
from authlib.integrations.base_client.async_openid import AsyncOpenIDMixin
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc.errors import JoseError

from ideaboard.i18n import lazy_gettext
from ideaboard.settings import OidcSettings

log = logging.getLogger("ideaboard.oidc")

SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10.0


class ProviderProblem(Exception):
    """The provider could not be reached, refused the code, or answered with a token
    that does not hold up. `reason` is one of services.sso.REASONS."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser, and what the callback must be checked against."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    """What the provider vouches for: the verified ID token's claims, completed by the
    userinfo endpoint's (same subject), and the raw ID token for signing out."""

    claims: dict[str, Any]
    id_token: str


class _Client(AsyncOAuth2Mixin, AsyncOpenIDMixin, BaseApp):
    """Authlib's framework-neutral OpenID client; the state lives in our database."""

    client_cls = AsyncOAuth2Client


class OidcProvider:
    """One configured provider; discovery and keys are fetched once and kept (the keys
    again when a token names one we do not have: the provider rotated them)."""

    def __init__(self, settings: OidcSettings, redirect_uri: str) -> None:
        self.settings = settings
        self.redirect_uri = redirect_uri
        self._client = _Client(
            framework=None,
            client_id=settings.client_id,
            client_secret=settings.client_secret or None,
            server_metadata_url=settings.metadata_url,
            client_kwargs={
                "scope": SCOPE,
                "code_challenge_method": "S256",
                "timeout": TIMEOUT_SECONDS,
                "follow_redirects": False,
                # A public client (no secret) proves itself with PKCE alone.
                "token_endpoint_auth_method": (
                    "client_secret_basic" if settings.client_secret else "none"
                ),
            },
        )

    async def _metadata(self) -> dict[str, Any]:
        try:
            metadata: dict[str, Any] = await self._client.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as error:
            raise ProviderProblem("unreachable", f"discovery failed: {error!r}") from None
        if metadata.get("issuer", "").rstrip("/") != self.settings.issuer.rstrip("/"):
            self._client.server_metadata.clear()  # ask again next time
            raise ProviderProblem(
                "unreachable", f"discovery names issuer {metadata.get('issuer')!r}"
            )
        return metadata

    async def start(self) -> Authorization:
        await self._metadata()
        created = await self._client.create_authorization_url(self.redirect_uri)
        return Authorization(
            url=created["url"],
            state=created["state"],
            nonce=created["nonce"],
            code_verifier=created["code_verifier"],
        )

    async def finish(self, code: str, *, nonce: str, code_verifier: str) -> Identity:
        """Trade the code for tokens and check the ID token; ProviderProblem otherwise."""
        metadata = await self._metadata()
        try:
            token = await self._client.fetch_access_token(
                redirect_uri=self.redirect_uri, code=code, code_verifier=code_verifier
            )
        except OAuthError as error:  # invalid_grant: a code used twice, or expired
            raise ProviderProblem("code_refused", f"{error.error}: {error.description}") from None
        except (httpx2.HTTPError, ValueError) as error:
            raise ProviderProblem("unreachable", f"token endpoint: {error!r}") from None
        if "id_token" not in token:
            raise ProviderProblem("bad_token", "the token response has no ID token")
        try:
            verified = await self._client.parse_id_token(token, nonce=nonce, leeway=60)
        except (JoseError, ValueError, KeyError) as error:
            raise ProviderProblem("bad_token", repr(error)) from None
        except httpx2.HTTPError as error:
            raise ProviderProblem("unreachable", f"keys: {error!r}") from None
        claims = dict(verified)
        if metadata.get("userinfo_endpoint"):
            claims = {**await self._userinfo(token, claims["sub"]), **claims}
        return Identity(claims=claims, id_token=str(token["id_token"]))

    async def _userinfo(self, token: dict[str, Any], subject: str) -> dict[str, Any]:
        try:
            info = dict(await self._client.userinfo(token=token))
        except (httpx2.HTTPError, ValueError) as error:
            raise ProviderProblem("unreachable", f"userinfo: {error!r}") from None
        if info.get("sub") != subject:  # OpenID Connect Core 5.3.2
            raise ProviderProblem("bad_token", "userinfo is about another subject")
        return info

    async def logout_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session address (RP-initiated logout), where it has one."""
        try:
            metadata = await self._metadata()
        except ProviderProblem as problem:
            log.warning("company sign-out skipped: %s", problem)
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        created = await self._client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token or None,
            client_id=self.settings.client_id,
        )
        return str(created["url"])


def provider_name(settings: OidcSettings) -> Any:
    """What the sign-in button and pages call the provider: IDEABOARD_OIDC_NAME, else
    "your company account" in the reader's language."""
    return settings.name or lazy_gettext("your company account")


def claim_values(claims: dict[str, Any], path: str) -> list[str]:
    """The values at a dotted path ("realm_access.roles"): a list, or one string."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return []
        value = value.get(part)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(item) for item in value if isinstance(item, str | int)]
    return []
