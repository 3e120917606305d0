"""A large board, written straight into the database (bulk inserts, not the HTTP API)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

# Importing Piccolo's SQLite engine registers the datetime adapters it reads back,
# so rows written here are stored exactly as the app stores them.
import piccolo.engine.sqlite  # noqa: F401

from ideaboard import db
from ideaboard.bench.timelines import with_timelines
from ideaboard.db import sqlite_path
from ideaboard.domain import Status, hot_score, trending_since
from ideaboard.markup import render_markdown
from ideaboard.services import insight_rollups
from ideaboard.services.departments import slugify

DEPARTMENTS = (
    "Operations", "Customer Service", "Sales", "Marketing", "IT", "Finance",
    "People & Culture", "Product", "Legal", "Facilities", "Procurement", "Research",
)  # fmt: skip
WORDS = [
    "shared",
    "calendar",
    "loading",
    "docks",
    "drivers",
    "slots",
    "warehouse",
    "scanner",
    "barcode",
    "route",
    "planning",
    "roadworks",
    "parts",
    "shelf",
    "sorting",
    "belt",
    "handover",
    "checklist",
    "crates",
    "cardboard",
    "vans",
    "map",
    "pick",
    "light",
    "safety",
    "walk",
    "labels",
    "returns",
    "solar",
    "roof",
    "forklift",
    "charging",
    "photo",
    "parcel",
    "inbox",
    "carrier",
    "training",
    "break",
    "room",
    "stand-up",
    "heating",
    "temperature",
    "signs",
    "pallet",
    "wrap",
    "headphones",
    "reorder",
    "buddy",
    "callback",
    "templates",
    "chat",
    "refund",
    "knowledge",
    "status",
    "page",
    "headset",
    "survey",
    "portal",
    "invoice",
    "budget",
    "laptop",
    "password",
    "backup",
    "wifi",
    "printer",
    "onboarding",
    "mentoring",
    "canteen",
    "bike",
    "leasing",
    "payslip",
    "locker",
    "tracking",
    "notification",
    "pickup",
    "sandbox",
]
STATUS_WEIGHTS = {
    Status.NEW: 50,
    Status.UNDER_REVIEW: 12,
    Status.PLANNED: 10,
    Status.IN_PROGRESS: 8,
    Status.DONE: 10,
    Status.DECLINED: 7,
    Status.DUPLICATE: 3,
}
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$bm90LWEtcmVhbC1zYWx0$bm90LWEtcmVhbC1oYXNoLW5vdC1hLXJlYWwtaGFzaA"
)


@dataclass(frozen=True)
class Size:
    users: int = 10_000
    ideas: int = 100_000
    votes: int = 1_000_000
    comments: int = 200_000


@dataclass
class Rows:
    """Every row of the dataset, as tuples in the tables' column order."""

    organisation: list[tuple[Any, ...]]
    departments: list[tuple[Any, ...]]
    users: list[tuple[Any, ...]]
    ideas: list[tuple[Any, ...]]
    votes: list[tuple[Any, ...]]
    comments: list[tuple[Any, ...]]
    status_changes: list[tuple[Any, ...]] = field(default_factory=list)


COLUMNS = {
    "organisation": ("id", "name", "allowed_email_domains", "created_at"),
    "department": ("id", "name", "slug", "archived", "routing_threshold", "created_at"),
    "account": (
        "id", "email", "name", "department", "role", "active", "password_hash", "created_at",
    ),
    "idea": (
        "id", "title", "body", "body_html", "author", "author_department", "department",
        "status", "vote_count", "announced_votes", "comment_count", "hot_score",
        "trending_votes", "created_at", "updated_at", "owner", "last_update_at",
    ),
    "status_change": (
        "id", "idea", "from_status", "to_status", "author", "message", "message_html",
        "created_at",
    ),
    "vote": ("id", "voter", "idea", "created_at"),
    "comment": (
        "id", "idea", "author", "body", "body_html", "edited", "created_at", "updated_at",
    ),
    "department_manager": ("id", "department", "manager"),
}  # fmt: skip


MANAGER = 2  # the account that manages department 1
MEMBER = 3  # an account with no role but a member's


def build_rows(size: Size, *, seed: int = 7, now: datetime | None = None) -> Rows:
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    start = now - timedelta(days=730)
    departments = [
        (n, name, slugify(name), False, 10, start) for n, name in enumerate(DEPARTMENTS, 1)
    ]
    user_departments = [rng.randint(1, len(DEPARTMENTS)) for _ in range(size.users)]
    users = [
        (
            n,
            "admin@example.com" if n == 1 else f"user{n}@example.com",
            f"Person {n}",
            user_departments[n - 1],
            "admin" if n == 1 else "member",
            True,
            PASSWORD_HASH,
            start,
        )
        for n in range(1, size.users + 1)
    ]
    bodies = [
        (text, render_markdown(text))
        for text in (
            f"**What happens today:** the {a} and the {b} slow us down.\n\n- try {c}\n- measure"
            for a, b, c in (rng.sample(WORDS, 3) for _ in range(50))
        )
    ]
    # Votes spread like real boards: a few ideas get many, most get a handful.
    weights = [rng.paretovariate(1.2) for _ in range(size.ideas)]
    scale = size.votes / sum(weights)
    vote_counts = [min(size.users, int(w * scale)) for w in weights]
    short = size.votes - sum(vote_counts)
    for n in range(max(short, 0)):
        index = n % size.ideas
        if vote_counts[index] < size.users:
            vote_counts[index] += 1
    statuses = list(STATUS_WEIGHTS)
    status_weights = list(STATUS_WEIGHTS.values())
    comment_counts = [0] * size.ideas
    for _ in range(size.comments):
        comment_counts[rng.randrange(size.ideas)] += 1

    ideas, votes, comments = [], [], []
    vote_id = comment_id = 0
    span = (now - start).total_seconds()
    trending_start = trending_since(now)
    for n in range(1, size.ideas + 1):
        created = start + timedelta(seconds=span * n / (size.ideas + 1))
        author = rng.randint(1, size.users)
        body, body_html = rng.choice(bodies)
        count = vote_counts[n - 1]
        title = " ".join(rng.sample(WORDS, 4)).capitalize()
        status = rng.choices(statuses, status_weights)[0]
        age = (now - created).total_seconds()
        recent = 0
        for voter in rng.sample(range(1, size.users + 1), count):
            vote_id += 1
            voted_at = created + timedelta(seconds=rng.random() * age)
            recent += voted_at >= trending_start
            votes.append((vote_id, voter, n, voted_at))
        ideas.append(
            (
                n, title, body, body_html, author, user_departments[author - 1],
                rng.randint(1, len(DEPARTMENTS)), status.value, count, count,
                comment_counts[n - 1], hot_score(count, created), recent, created, created,
            )
        )  # fmt: skip
        for _ in range(comment_counts[n - 1]):
            comment_id += 1
            moment = created + timedelta(seconds=rng.random() * age)
            comments.append(
                (comment_id, n, rng.randint(1, size.users), body, body_html, False, moment, moment)
            )
    ideas, status_changes = with_timelines(ideas, size.users, now, seed=seed)
    return Rows(
        organisation=[(1, "Benchmark Industries", "", start)],
        departments=departments,
        users=users,
        ideas=ideas,
        votes=votes,
        comments=comments,
        status_changes=status_changes,
    )


def _tables(rows: Rows) -> list[tuple[str, list[tuple[Any, ...]]]]:
    return [
        ("organisation", rows.organisation),
        ("department", rows.departments),
        ("account", rows.users),
        ("idea", rows.ideas),
        ("vote", rows.votes),
        ("comment", rows.comments),
        ("status_change", rows.status_changes),
        # Person 2 manages the first department: the page costs measure their triage.
        ("department_manager", [(1, 1, MANAGER)]),
    ]


def load_sqlite(database_url: str, rows: Rows) -> None:
    """Bulk-insert into a migrated, empty SQLite database in one transaction."""
    connection = sqlite3.connect(sqlite_path(database_url))
    try:
        connection.execute("PRAGMA synchronous = OFF")
        with connection:
            for table, records in _tables(rows):
                columns = COLUMNS[table]
                placeholders = ", ".join("?" for _ in columns)
                connection.executemany(
                    f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({placeholders})',
                    records,
                )
        connection.execute("ANALYZE")
    finally:
        connection.close()


async def load_postgres(database_url: str, rows: Rows) -> None:
    """COPY into a migrated, empty PostgreSQL database, then fix the id sequences."""
    connection = await asyncpg.connect(database_url)
    try:
        async with connection.transaction():
            for table, records in _tables(rows):
                await connection.copy_records_to_table(
                    table, records=records, columns=list(COLUMNS[table])
                )
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'),"
                    f' GREATEST((SELECT MAX(id) FROM "{table}"), 1))'
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def scaled(size: Size, ideas: int) -> Size:
    factor = ideas / size.ideas
    return Size(
        users=max(50, int(size.users * factor)),
        ideas=ideas,
        votes=int(size.votes * factor),
        comments=int(size.comments * factor),
    )


@contextmanager
def database(backend: str, label: str, workdir: Path) -> Iterator[str]:
    """A fresh, migrated database for one dataset; removed afterwards."""
    if backend == "sqlite":
        path = workdir / f"{label}.sqlite3"
        for leftover in workdir.glob(f"{label}.sqlite3*"):
            leftover.unlink()
        url = f"sqlite:///{path.resolve()}"
        migrate(url)
        yield url
        for leftover in workdir.glob(f"{label}.sqlite3*"):
            leftover.unlink()
        return
    admin_url = os.environ["IDEABOARD_TEST_POSTGRES_URL"]
    name = f"ideaboard_bench_{label}_{secrets.token_hex(3)}"
    asyncio.run(_postgres_admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(_postgres_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _postgres_admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "ideaboard.cli", "migrate"],
        env={**os.environ, "IDEABOARD_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def load(backend: str, url: str, rows: Rows) -> str:
    """Write the rows and a session for the admin (user 1); returns the session token."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    # The default 30-day life, so the app has no reason to renew it during the run.
    session = (hashlib.sha256(token.encode()).hexdigest(), 1, now, now + timedelta(days=30))
    if backend == "sqlite":
        load_sqlite(url, rows)
        with sqlite3.connect(sqlite_path(url)) as connection:
            connection.execute(
                "INSERT INTO auth_session (token_hash, account, created_at, expires_at)"
                " VALUES (?, ?, ?, ?)",
                session,
            )
        asyncio.run(count_insights(url))
        return token

    async def load_all() -> None:
        await load_postgres(url, rows)
        connection = await asyncpg.connect(url)
        try:
            # Its id from the table's sequence, as the sessions written after it take theirs.
            await connection.execute(
                "INSERT INTO auth_session (token_hash, account, created_at, expires_at)"
                " VALUES ($1, $2, $3, $4)",
                *session,
            )
        finally:
            await connection.close()

    asyncio.run(load_all())
    asyncio.run(count_insights(url))
    return token


async def count_insights(url: str) -> None:
    """What the insights loop counts ahead, for every week of the dataset, as a board
    that has run for years has it counted."""
    async with db.connected(url):
        await insight_rollups.count_weeks(most=10_000)
