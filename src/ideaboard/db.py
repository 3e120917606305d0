"""Database engines: one URL in, a Piccolo engine bound to every table out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from ideaboard.db_sqlite import InlineSQLiteEngine, NoConnectOnCreate
from ideaboard.files import FILE_MODE, make_directories, private_file, sqlite_files, tighten
from ideaboard.sqlite_rows import converters_for
from ideaboard.tables import TABLES

log = logging.getLogger("ideaboard")

# Seconds a stopping process waits for its PostgreSQL connections to come back.
POOL_CLOSE_SECONDS = 5

# Seconds a writer waits for SQLite's lock before giving up ("database is locked").
SQLITE_BUSY_TIMEOUT = 30


def sqlite_path(url: str) -> Path:
    """`sqlite:///var/x.db` is relative to the working directory, `sqlite:////abs` absolute."""
    path = url.removeprefix("sqlite://")
    if not path.startswith("/") or path == "/":
        raise ValueError(f"not a SQLite URL: {url!r}")
    return Path(path[1:])


class PooledTransaction(PostgresTransaction):
    """Piccolo's transaction, giving its connection back to the pool whatever happens.
    Piccolo's own keeps it when the task is cancelled while the transaction begins or
    rolls back (a background loop stopped at shutdown): the pool then never closes, and
    the process never exits. Only two hooks differ (tests/test_db_postgres.py fails if a
    Piccolo upgrade stops calling them)."""

    engine: Postgres

    async def begin(self) -> None:
        try:
            await super().begin()
        except BaseException:
            await self._give_back()
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        except BaseException:
            if self._parent is None:  # the commit or rollback failed: Piccolo stopped there
                await self._give_back()
                self.engine.current_transaction.reset(self.context)
            raise

    async def _give_back(self) -> None:
        # asyncpg resets the connection (rolling back what is open) on release, and
        # shields the release from cancellation.
        if self.engine.pool:
            await self.engine.pool.release(self.connection)
        else:
            await self.connection.close()


class Postgres(NoConnectOnCreate, PostgresEngine):
    """Piccolo's engine, connecting when first used, counting the statements it runs."""

    statements = 0  # run since the start: tests count a page's

    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return PooledTransaction(engine=self, allow_nested=allow_nested)

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        self.statements += 1
        return await super().run_querystring(querystring, in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        self.statements += 1
        return await super().run_ddl(ddl, in_pool)


def engine_for(url: str) -> Engine[Any]:
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = sqlite_path(url)
        try:
            make_directories(path.parent)
            private_file(path)
            for file in sqlite_files(path)[1:]:
                if file.exists():
                    tighten(file, FILE_MODE)
        except OSError:
            pass  # not a file we can make: connecting says why (healthz 503, `check`)
        return InlineSQLiteEngine(
            path=str(path), timeout=SQLITE_BUSY_TIMEOUT, converters=converters_for(TABLES)
        )
    if scheme in {"postgres", "postgresql"}:
        return Postgres(config={"dsn": url})
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def bind_tables(engine: Engine[Any]) -> None:
    for table in TABLES:
        table._meta.db = engine


def current_engine() -> Engine[Any]:
    return TABLES[0]._meta.db


def is_sqlite() -> bool:
    return isinstance(current_engine(), SQLiteEngine)


# What to do once the write transaction under way commits (`after_commit`).
_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)


@asynccontextmanager
async def write_transaction() -> AsyncIterator[Any]:
    """A transaction for a state change.

    On SQLite it takes the write lock up front (BEGIN IMMEDIATE): a deferred
    transaction that reads and then writes cannot wait for the lock and fails
    at once with "database is locked" under concurrent writers. What `after_commit`
    was given inside runs once the outermost one has committed, and never on a rollback.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        transaction = engine.transaction(transaction_type=TransactionType.immediate)
    else:
        transaction = engine.transaction()
    if _after_commit.get() is not None:  # inside another: that one runs the callbacks
        async with transaction as inner:
            yield inner
        return
    callbacks: list[Callable[[], None]] = []
    token = _after_commit.set(callbacks)
    try:
        async with transaction as inner:
            yield inner
    finally:
        _after_commit.reset(token)
    for callback in callbacks:
        callback()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the write transaction under way commits (now, outside one):
    for telling others what they can now read, never what may yet be rolled back."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


async def prepare(engine: Engine[Any], pool_size: int) -> None:
    """Open what the engine needs for serving: WAL on SQLite, the pool on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        # WAL lets readers run while one writer writes; the mode is stored in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")
    elif isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=pool_size)


async def close(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        if engine.pool is not None:
            try:
                # Waits for every connection to come back; a stop must not hang on one.
                await asyncio.wait_for(engine.pool.close(), POOL_CLOSE_SECONDS)
            except TimeoutError:
                log.warning("a database connection was still in use after %s s: closed it",
                            POOL_CLOSE_SECONDS)  # fmt: skip
                engine.pool.terminate()
            engine.pool = None
    elif isinstance(engine, InlineSQLiteEngine):
        await engine.close_pool()


CLI_POOL_SIZE = 2


@asynccontextmanager
async def connected(url: str) -> AsyncIterator[Engine[Any]]:
    """The database for a command run outside the web app; closed when it is done."""
    engine = engine_for(url)
    bind_tables(engine)
    # A small pool: without one, Piccolo opens a PostgreSQL connection per query, and a
    # digest or a worker makes thousands of them.
    await prepare(engine, pool_size=CLI_POOL_SIZE)
    try:
        yield engine
    finally:
        await close(engine)


async def forget_old_pages() -> None:
    """After an erasure: on SQLite, empty the WAL into the database file (whose deleted
    bytes are zeroed: secure_delete). PostgreSQL's old row versions are unreadable through
    SQL, absent from pg_dump's backups, and reused by autovacuum."""
    engine = current_engine()
    if isinstance(engine, InlineSQLiteEngine) and not await engine.checkpoint_fully():
        log.warning("the WAL could not be emptied after an erasure: a reader held it")


async def ping() -> bool:
    try:
        await current_engine().run_ddl("SELECT 1")
    except Exception:
        return False
    return True


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, lower-cased, with %, _ and \\ taken literally.

    Use with `LOWER(column) LIKE {} ESCAPE '\\'` (case-insensitive on both databases).
    """
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_sql(column: str) -> str:
    """SQL true when `column` holds the text given as its one parameter, exactly (no
    pattern characters, no case folding): `instr` on SQLite, `strpos` on PostgreSQL."""
    return f"instr({column}, {{}}) > 0" if is_sqlite() else f"strpos({column}, {{}}) > 0"


def is_unique_violation(error: BaseException) -> bool:
    """True when a UNIQUE constraint refused the write, on either database."""
    import sqlite3

    import asyncpg

    if isinstance(error, asyncpg.UniqueViolationError):
        return True
    return isinstance(error, sqlite3.IntegrityError) and "UNIQUE" in str(error)
