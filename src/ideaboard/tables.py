"""Piccolo tables: the schema, and nothing else."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table


class Organisation(Table):
    """The one row describing this board's company and its settings."""

    id: Serial
    name = Varchar(length=120)
    # Comma-separated, lower-cased; empty means anyone may sign up.
    allowed_email_domains = Text(default="")
    # Votes each person may have on open ideas at once (UserVoice-style); 0 = no limit.
    vote_budget = Integer(default=0)
    created_at = Timestamptz()


class Department(Table):
    """A function of the company that ideas are aimed at (Sales, IT, ...)."""

    id: Serial
    name = Varchar(length=80)
    slug = Varchar(length=80, unique=True)
    archived = Boolean(default=False)
    routing_threshold = Integer(default=10)
    created_at = Timestamptz()


class User(Table, tablename="account"):  # "user" is reserved in PostgreSQL
    id: Serial

    email = Varchar(length=254, unique=True)
    name = Varchar(length=80)
    department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False)
    role = Varchar(length=16, default="member")
    active = Boolean(default=True)
    password_hash = Varchar(length=255)
    created_at = Timestamptz()


class Session(Table, tablename="auth_session"):
    """A server-side sign-in; the cookie holds a token whose SHA-256 is stored here."""

    id: Serial
    token_hash = Varchar(length=64, unique=True)
    account = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class Idea(Table):
    id: Serial
    title = Varchar(length=160)
    body = Text()
    body_html = Text()
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False, index=True)
    # Where the author worked when proposing it: "from Customer Service".
    author_department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False, index=True)
    # Which part of the company the idea is for: "for Operations".
    department = ForeignKey(Department, on_delete=OnDelete.restrict, null=False, index=True)
    status = Varchar(length=16, default="new", index=True)
    vote_count = Integer(default=0)
    comment_count = Integer(default=0)
    hot_score = DoublePrecision(default=0.0, index=True)
    # Votes received in the trending window (domain.TRENDING_WINDOW_DAYS): kept by the
    # vote transaction, and aged by services.ranking.refresh_trending.
    trending_votes = Integer(default=0)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Vote(Table):
    id: Serial
    voter = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    created_at = Timestamptz()
    # UNIQUE (voter, idea) is a unique index made by the first migration:
    # Piccolo's table constraints use ALTER TABLE ADD CONSTRAINT, which SQLite lacks.


class Comment(Table):
    id: Serial
    idea = ForeignKey(Idea, on_delete=OnDelete.cascade, null=False, index=True)
    author = ForeignKey(User, on_delete=OnDelete.restrict, null=False)
    body = Text()
    body_html = Text()
    edited = Boolean(default=False)
    created_at = Timestamptz()
    updated_at = Timestamptz()


TABLES: tuple[type[Table], ...] = (Organisation, Department, User, Session, Idea, Vote, Comment)
