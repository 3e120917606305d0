"""A real OpenID provider for the tests: oidc-provider-mock (Authlib's server on Flask)
in a thread on a free port, with people whose claims a test sets; and a "forger" in
front of it that re-signs its ID tokens, for the checks a genuine provider never fails.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey
from oidc_provider_mock import run_server_in_thread

# The provider speaks plain http on localhost; Authlib's server refuses that otherwise.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")


@dataclass
class Provider:
    url: str  # the issuer, as the provider names itself ("http://localhost:PORT")
    forger: Forger

    def set_person(self, subject: str, **claims: Any) -> None:
        response = httpx.put(f"{self.url}/users/{subject}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, subject: str) -> str:
        """The person signs in at the provider: where it sends the browser back."""
        response = httpx.post(authorization_url, data={"sub": subject}, timeout=5)
        assert response.status_code == 302, response.text
        return str(response.headers["location"])

    def deny(self, authorization_url: str) -> str:
        response = httpx.post(authorization_url, data={"action": "deny"}, timeout=5)
        assert response.status_code == 302, response.text
        return str(response.headers["location"])


def local(url: str) -> str:
    """The path and query of a URL, for the test client (which holds the cookies)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "forged"})


@dataclass
class Forger:
    """Tampers with the provider's answers when told to: `claims` changes the ID token's
    claims and re-signs it with the provider's published key set swapped for ours;
    `foreign_key` signs with a key the provider never published."""

    claims: dict[str, Any] = field(default_factory=dict)
    foreign_key: bool = False
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "forged"})
    )

    @property
    def active(self) -> bool:
        return bool(self.claims) or self.foreign_key

    def reset(self) -> None:
        self.claims = {}
        self.foreign_key = False

    def id_token(self, token: str) -> str:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(self.claims)
        key = (
            RSAKey.generate_key(2048, parameters={"kid": "forged"})
            if self.foreign_key
            else self.key
        )
        return jwt.encode({"alg": "RS256", "kid": "forged"}, claims, key)

    def key_set(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}


def _wsgi_forging(app: Callable[..., Any], forger: Forger) -> Callable[..., Any]:
    """A WSGI middleware: the provider's token and key answers, rewritten by `forger`."""

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if not forger.active or path not in ("/oauth2/token", "/jwks"):
            return app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = json.loads(b"".join(app(environ, capture)))
        if path == "/jwks":
            body = forger.key_set()
        elif "id_token" in body:
            body["id_token"] = forger.id_token(body["id_token"])
        data = json.dumps(body).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(data)))])
        return [data]

    return middleware


@contextmanager
def running_provider() -> Iterator[Provider]:
    forger = Forger()
    with run_server_in_thread(port=0, require_nonce=True) as server:
        server.app = _wsgi_forging(server.app, forger)
        yield Provider(url=f"http://localhost:{server.server_port}", forger=forger)
