"""Shared fixtures: a fresh database per test on every backend, a client, named personas.

The suite runs on SQLite always and on PostgreSQL too when IDEABOARD_TEST_POSTGRES_URL
is set (CI sets it); then a server that does not answer fails the run.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import secrets
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from litestar import Litestar

from ideaboard import db
from ideaboard.app import app_shape, create_app, use_board
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.mail.mailer import Mailer
from ideaboard.passwords import Passwords
from ideaboard.services import departments, ideas, setup, users
from ideaboard.services.sessions import create_session
from ideaboard.settings import Settings
from ideaboard.tables import TABLES
from ideaboard.web import SESSION_COOKIE
from receiver import Receiver, running_receiver
from smtp_sink import Sink, running_sink

POSTGRES_URL = os.environ.get("IDEABOARD_TEST_POSTGRES_URL", "").strip()
BACKENDS = ["sqlite", "postgres"] if POSTGRES_URL else ["sqlite"]
PASSWORD = "persona-password-1"
# Cheap Argon2id for the suite only; the defaults are checked in test_passwords.
FAST_HASHING = {"password_memory_kib": 1024, "password_time_cost": 1}
T = TypeVar("T")


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from sync code, even where a loop already runs in this thread
    (Playwright's sync API keeps one running during the browser tests)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def migrate(database_url: str) -> None:
    """Run the real `ideaboard migrate` command against a database."""
    env = {**os.environ, "IDEABOARD_DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "ideaboard.cli", "migrate"],
        env=env,
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "ideaboard.sqlite3"
    migrate(f"sqlite:///{path}")
    return path


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """A database of our own on the test server, created and migrated; dropped after."""
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(POSTGRES_URL, timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    try:
        run_in_own_loop(admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        pytest.fail(f"PostgreSQL at IDEABOARD_TEST_POSTGRES_URL does not answer: {error}")
    url = _with_database(POSTGRES_URL, name)
    try:
        migrate(url)
        yield url
    finally:
        run_in_own_loop(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """The suite's PostgreSQL database, made once per run."""
    if not POSTGRES_URL:
        pytest.skip("IDEABOARD_TEST_POSTGRES_URL is not set")
    with new_postgres_database("ideaboard_test") as url:
        yield url


async def _empty_postgres(url: str, *, truncate: bool = False) -> None:
    """Every table emptied and every id sequence back at 1. DELETE with the foreign keys'
    triggers off (the tests' role is a superuser) takes a fifth of the time TRUNCATE does
    on tables this small: TRUNCATE makes new files for each of them and their indexes.
    `truncate`: also forget the planner's statistics of the tests before (see the
    `fresh_statistics` marker)."""
    connection = await asyncpg.connect(url)
    try:
        if truncate:
            names = ", ".join(f'"{table._meta.tablename}"' for table in TABLES)
            await connection.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            return
        sequences = await connection.fetch(
            "SELECT sequence_name FROM information_schema.sequences"
            " WHERE sequence_schema = 'public'"
        )
        statements = [
            "SET LOCAL session_replication_role = replica",
            *(f'DELETE FROM "{table._meta.tablename}"' for table in TABLES),
            *(f'ALTER SEQUENCE "{row["sequence_name"]}" RESTART' for row in sequences),
        ]
        async with connection.transaction():
            await connection.execute(";\n".join(statements))
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "ideaboard.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    fresh = request.node.get_closest_marker("fresh_statistics") is not None
    run_in_own_loop(_empty_postgres(url, truncate=fresh))
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-" + "x" * 32,
        **FAST_HASHING,
    )


# Apps by their shape (ideaboard.app.app_shape): registering the routes is most of the
# cost of making an app, so each test points one made before at its own board.
APPS: dict[Settings, Litestar] = {}


@pytest.fixture
def app(settings: Settings) -> Litestar:
    shape = app_shape(settings)
    made = APPS.get(shape)
    if made is None:
        made = APPS[shape] = create_app(settings)
        return made
    return use_board(made, settings)


class Client:
    """A browser-like client: keeps cookies, sends the CSRF token with every form."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    @property
    def csrf_token(self) -> str:
        return self.http.cookies.get("csrftoken") or ""

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await self.http.get(url, **kwargs)

    async def post(
        self, url: str, data: dict[str, Any] | None = None, *, htmx: bool = False, **kwargs: Any
    ) -> Any:
        if not self.csrf_token:
            await self.http.get("/healthz")
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers["HX-Request"] = "true"
        form = {"_csrf_token": self.csrf_token, **(data or {})}
        kwargs.setdefault("follow_redirects", False)
        return await self.http.post(url, data=form, headers=headers, **kwargs)

    async def use_session(self, token: str) -> None:
        """Act as the person whose session this is (made without the sign-in form): a
        page then hands out the session's own CSRF token."""
        self.http.cookies.set(SESSION_COOKIE, token)
        await self.http.get("/notifications/bell")

    async def login(self, email: str, password: str = PASSWORD) -> Any:
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response

    async def logout(self) -> Any:
        return await self.post("/logout")


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    """The app in this test's event loop.

    Litestar's AsyncTestClient runs the app in another thread, whose PostgreSQL pool
    cannot be shared with the test's own queries; so the database is opened here the
    way the app's lifespan opens it, and requests go straight to the ASGI app.
    """
    settings: Settings = app.state.settings
    await db.prepare(app.state.engine, pool_size=settings.db_pool_size)
    # Over https when the settings say so: the browser then keeps `__Host-` cookies.
    base_url = f"{'https' if settings.secure_cookies else 'http'}://testserver.local"
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as c:
            yield c
    finally:
        await db.close(app.state.engine)


@pytest.fixture
def client(http: httpx.AsyncClient) -> Client:
    return Client(http)


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    department_id: int
    role: Role = Role.MEMBER

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, role=self.role, department_id=self.department_id)


@dataclass(frozen=True)
class Personas:
    """The suite's named people, in an organisation called Acme."""

    operations: int
    customer_service: int
    it: int
    ada: Person  # admin, Operations
    mo: Person  # moderator, IT
    mia: Person  # member, Customer Service
    otto: Person  # member, Operations


@pytest.fixture
async def board(http: httpx.AsyncClient, settings: Settings) -> Personas:
    """A set-up board with three departments and four people."""
    passwords = Passwords(
        memory_kib=settings.password_memory_kib, time_cost=settings.password_time_cost
    )
    ada_id = await setup.create_board(
        setup.SetupForm(
            organisation_name="Acme",
            name="Ada Admin",
            email="ada@example.com",
            password=PASSWORD,
            department_name="Operations",
        ),
        passwords,
    )
    ops = (await departments.list_departments())[0].id
    service = (await departments.create_department("Customer Service")).id
    it = (await departments.create_department("IT")).id

    async def person(name: str, email: str, department: int, role: Role = Role.MEMBER) -> Person:
        password_hash = await passwords.hash(PASSWORD)
        async with write_transaction():
            user_id = await users.insert_user(
                name=name,
                email=email,
                password_hash=password_hash,
                department_id=department,
                role=role,
            )
        return Person(user_id, email, name, department, role)

    return Personas(
        operations=ops,
        customer_service=service,
        it=it,
        ada=Person(ada_id, "ada@example.com", "Ada Admin", ops, Role.ADMIN),
        mo=await person("Mo Moderator", "mo@example.com", it, Role.MODERATOR),
        mia=await person("Mia Member", "mia@example.com", service),
        otto=await person("Otto Operator", "otto@example.com", ops),
    )


def page_text(html: str) -> str:
    """The words of a page as a reader sees them: tags out, white space folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def session_cookie_for(user_id: int) -> str:
    """A session for a person without going through the sign-in form (bulk tests)."""
    return await create_session(user_id, lifetime=timedelta(days=1))


async def make_idea(
    author: Person,
    department_id: int,
    title: str = "Shared calendar for the loading docks",
    body: str = "Drivers wait **hours** at the gate.",
) -> int:
    return await ideas.create_idea(
        author.actor,
        ideas.IdeaInput(title=title, body=body, department_id=str(department_id)),
    )


@pytest.fixture
def sink() -> Iterator[Sink]:
    """A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""
    with running_sink() as sink:
        yield sink


@pytest.fixture
def mailer(settings: Settings, sink: Sink) -> Mailer:
    """Email for this test's board, sent to the sink, with links to a real-looking host."""
    return Mailer.from_settings(
        Settings(
            **{**settings.__dict__, "smtp_url": sink.url, "base_url": "https://ideas.acme.example"}
        )
    )


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A real HTTP receiver for webhooks (tests/receiver.py) on a free local port."""
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def local(settings: Settings) -> Settings:
    """Settings whose webhooks may reach the test's receiver on loopback (allowed
    deliberately, as an intranet would be), with links to a real-looking host."""
    return dataclasses.replace(
        settings,
        webhook_allowed_networks="127.0.0.1/32",
        webhook_timeout_seconds=2,
        base_url="https://ideas.acme.example",
    )
