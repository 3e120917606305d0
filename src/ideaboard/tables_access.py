"""Piccolo tables of access: company sign-ins under way, and the bearer tokens of SCIM
provisioning and the API. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from typing import Any

from piccolo.columns import ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

# ideaboard.tables imports this module: the account table is named, not imported.
User = LazyTableReference("User", module_path="ideaboard.tables")


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


ACCESS_TABLES: tuple[type[Table], ...] = (SignInAttempt, ScimToken, ApiToken)
