"""Piccolo tables of access: company sign-ins under way, the bearer tokens of SCIM
provisioning and the API, the emailed links of password resets and sign-ups, and the
throttles' counters. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey, Integer, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# ideaboard.tables imports this module: the account table is named, not imported.
User = LazyTableReference("User", module_path="ideaboard.tables")
Department = LazyTableReference("Department", module_path="ideaboard.tables")


class SignInAttempt(Table):
    """A company sign-in under way: the `state` sent to the provider (its SHA-256 here),
    with the nonce and PKCE verifier the callback needs. Used once, within minutes."""

    id: Serial
    state_hash = Varchar(length=64, unique=True)
    nonce = Varchar(length=128)
    code_verifier = Varchar(length=128)
    target = Text(default="/")
    created_at = Timestamptz(index=True)


class ScimToken(Table):
    """A bearer token for the directory's provisioning (SCIM): its SHA-256, never itself."""

    id: Serial
    name = Varchar(length=80)
    token_hash = Varchar(length=64, unique=True)
    hint = Varchar(length=16)  # the last characters, to tell tokens apart
    created_by: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class ApiToken(Table):
    """A personal access token for the API (`Authorization: Bearer …`): its SHA-256."""

    id: Serial
    account: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=80)
    token_hash = Varchar(length=64, unique=True)
    hint = Varchar(length=16)
    scope = Varchar(length=8, default="read")  # "read" or "write"
    created_at = Timestamptz()
    expires_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class RateLimit(Table):
    """A fixed-window counter shared by every app process (services.limits): the key
    says what is counted, for whom ("login:ip:203.0.113.9")."""

    id: Serial
    key = Varchar(length=200, unique=True)
    window_start = Timestamptz()
    hits = Integer(default=0)


class PasswordReset(Table):
    """A one-time link to set a new password: the email carries a random token, the
    database its SHA-256. Expires, and works once."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    account: ForeignKey[Any] = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


class SignupRequest(Table):
    """A sign-up waiting for its address to be confirmed: the account is created when
    the emailed link is followed, so an address proves it belongs to whoever signs up
    (and sign-up says the same for taken and free addresses). Token as PasswordReset."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    email = Varchar(length=254, index=True)
    name = Varchar(length=80)
    password_hash = Varchar(length=255)
    department: ForeignKey[Any] = ForeignKey(Department, on_delete=OnDelete.cascade, null=False)
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)


ACCESS_TABLES: tuple[type[Table], ...] = (
    SignInAttempt, ScimToken, ApiToken, RateLimit, PasswordReset, SignupRequest,
)  # fmt: skip
