"""Secrets handed to machines (a directory's SCIM client, a script on the API): made
with a prefix that secret scanners recognise, kept only as a SHA-256, told apart by
their last characters, and read from an `Authorization: Bearer …` header."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

SECRET_MAX = 200


@dataclass(frozen=True)
class NewSecret:
    secret: str  # shown once, never stored
    digest: str
    hint: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str) -> NewSecret:
    secret = prefix + secrets.token_urlsafe(32)  # 256 random bits
    return NewSecret(secret=secret, digest=digest(secret), hint=secret[-4:])


def bearer_secret(authorization: str, prefix: str) -> str | None:
    """The secret in an `Authorization: Bearer …` header, if it can be one of ours."""
    scheme, _, secret = authorization.partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret.startswith(prefix) or len(secret) > SECRET_MAX:
        return None
    return secret
