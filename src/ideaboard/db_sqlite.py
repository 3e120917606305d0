"""A Piccolo SQLite engine that runs short statements on the event loop's own thread.

Piccolo's SQLiteEngine opens a new aiosqlite connection, with a thread of its own, for
every query. Even with the connections kept open, each statement is a hop to a worker
thread and back (three for execute, fetch and close), which costs more than the indexed
read itself (tens of microseconds), and under load the worker threads wait for the GIL
behind the event loop. So this engine keeps plain sqlite3 connections open and:

- runs reads outside a transaction inline, on one reader connection. A read still running
  after READ_BUDGET is interrupted (a progress handler) and run again on a worker
  thread. SQL interrupted twice in a row goes straight to a thread for its next
  SLOW_RUNS runs, then is tried inline again (a cold cache makes a fast query slow
  once). Search and reports never stall the pages; the board, an idea and a session
  lookup never leave the loop.
- runs transactions on one writer connection, one at a time per process: an asyncio
  lock queues them without blocking the loop (SQLite has one write lock anyway). BEGIN,
  COMMIT and writes outside a transaction are tried without waiting; when another
  process holds the database's write lock they are run again on a worker thread, where
  SQLite's busy timeout waits. Statements inside a transaction run inline: they are
  index-served row writes.
- runs every statement on a worker thread inside `offloaded()`, for background jobs (the
  digest, recounts) whose long transactions must not stall the pages.
- checkpoints the WAL on a worker thread every CHECKPOINT_EVERY commits, beside the
  transactions, not inside a commit: SQLite's automatic checkpoint copies a thousand
  pages into the database file and syncs it in the middle of whichever request's COMMIT
  crossed the line, with the event loop waiting.

Inline statements do not suspend the task that runs them, so the engine yields to the
event loop after each committed transaction and after every YIELD_EVERY inline reads:
a loop of queries cannot starve the other requests.

Every connection has foreign keys on and synchronous=NORMAL (durable in WAL mode against
application crashes; a power cut may lose the last transactions, never corrupt the file).
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from typing import Any, TypeVar

from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

from ideaboard.sqlite_rows import ColumnReader, Converter, Rows
from ideaboard.sqlite_transaction import InlineTransaction

POOL_SIZE = 4  # worker-thread readers for slow reads
READ_BUDGET = 0.002  # seconds a read may hold the event loop
PROGRESS_STEPS = 1000  # SQLite VM steps between looks at the clock
SLOW_RUNS = 20  # runs on a thread after two interrupted ones, before trying inline again
SLOW_SQL_REMEMBERED = 256
STATEMENT_CACHE = 256
YIELD_EVERY = 16
CHECKPOINT_EVERY = 100  # commits; a vote writes 10 to 25 WAL frames

T = TypeVar("T")
V = TypeVar("V")
log = logging.getLogger("ideaboard.db")

_offloaded: ContextVar[bool] = ContextVar("ideaboard_sqlite_offloaded", default=False)


@contextmanager
def offloaded() -> Iterator[None]:
    """Every statement in this block (and in tasks it starts) runs on a worker thread."""
    token = _offloaded.set(True)
    try:
        yield
    finally:
        _offloaded.reset(token)


def is_read(sql: str) -> bool:
    head = sql.lstrip()[:7].upper()
    return head.startswith(("SELECT", "EXPLAIN"))


def _is_busy(error: sqlite3.OperationalError) -> bool:
    message = str(error)
    return "locked" in message or "busy" in message


def _remember(memory: OrderedDict[str, V], sql: str, value: V) -> None:
    memory[sql] = value
    memory.move_to_end(sql)
    if len(memory) > SLOW_SQL_REMEMBERED:
        memory.popitem(last=False)


class NoConnectOnCreate:
    """Piccolo engines check the server version, synchronously, the moment they are
    created; ideaboard's engines (SQLite here, PostgreSQL in ideaboard.db) connect only
    when they are used."""

    async def check_version(self) -> None:
        return None


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class InlineSQLiteEngine(NoConnectOnCreate, SQLiteEngine):
    def __init__(
        self,
        *args: Any,
        converters: dict[str, Converter],
        pool_size: int = POOL_SIZE,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._columns = ColumnReader(converters)
        self._busy_timeout: float = self.connection_kwargs.pop("timeout", 5.0)
        self.connection_kwargs["detect_types"] = 0  # see converters_for
        self._pool_size = pool_size
        self._reader: sqlite3.Connection | None = None
        self._writer_connection: sqlite3.Connection | None = None
        self._lock: asyncio.Lock | None = None
        self._threaded: list[sqlite3.Connection] = []  # idle worker-thread readers
        self._opened_threaded = 0
        self._executor: ThreadPoolExecutor | None = None
        self._slow: OrderedDict[str, int] = OrderedDict()  # SQL -> runs left on a thread
        self._interrupted: OrderedDict[str, None] = OrderedDict()  # once, just now
        self._deadline = 0.0
        self._inline_reads = 0  # since the last yield
        self.reads: Counter[str] = Counter()  # inline, thread, interrupted: for /metrics
        self._commits = 0  # since the last checkpoint
        self.statements = 0  # run since the start: tests count a page's
        self._checkpointing: asyncio.Task[None] | None = None

    # Connections ---------------------------------------------------------------

    def _connect(self, *, timeout: float) -> sqlite3.Connection:
        connection = sqlite3.connect(
            **self.connection_kwargs,
            timeout=timeout,
            check_same_thread=False,
            cached_statements=STATEMENT_CACHE,
        )
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA synchronous = NORMAL")
        # What is deleted or overwritten is zeroed in the file, not left in free space:
        # an erased person's name must not stay readable in the file's bytes.
        connection.execute("PRAGMA secure_delete = ON")
        # SQLite's own LOWER() folds ASCII only: "Ågård" would not find "søren ågård".
        # Python's folds every script, as PostgreSQL's does under a UTF-8 locale.
        connection.create_function("lower", 1, _lower, deterministic=True)
        try:
            connection.execute("SELECT log10(1)")
        except sqlite3.OperationalError:  # SQLite built without its math functions
            connection.create_function("log10", 1, math.log10, deterministic=True)
        return connection

    def _inline_reader(self) -> sqlite3.Connection:
        if self._reader is None:
            self._reader = self._connect(timeout=0)
            # Read the schema now: the first statement on a connection pays for it.
            self._reader.execute("SELECT name FROM sqlite_master LIMIT 1").fetchall()
            self._reader.set_progress_handler(self._over_budget, PROGRESS_STEPS)
        return self._reader

    def _writer(self) -> sqlite3.Connection:
        if self._writer_connection is None:
            self._writer_connection = self._connect(timeout=0)
            self._writer_connection.execute("PRAGMA wal_autocheckpoint = 0")  # see _committed
        return self._writer_connection

    def offloading(self) -> bool:
        """Whether this task's statements run on a worker thread (`offloaded()`)."""
        return _offloaded.get()

    def _writer_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def _abandon_transaction(self) -> None:
        """Never leave the writer connection inside a transaction for the next one."""
        writer = self._writer_connection
        if writer is not None and writer.in_transaction:
            with suppress(Exception):
                writer.execute("ROLLBACK")

    def _over_budget(self) -> bool:
        return time.perf_counter() > self._deadline

    async def _on_thread(self, work: Callable[[], T]) -> T:
        """`work` on a worker thread. Cancelling the caller waits for the work to end: it
        may hold the writer connection, which the next transaction must find idle."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self._pool_size, thread_name_prefix="sqlite")
        future = asyncio.get_running_loop().run_in_executor(self._executor, work)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            with suppress(BaseException):
                await future
            raise

    def pool_usage(self) -> tuple[int, int]:
        """(open, in use) connections."""
        inline = (self._reader is not None) + (self._writer_connection is not None)
        writing = int(self._lock is not None and self._lock.locked())
        threaded_in_use = self._opened_threaded - len(self._threaded)
        return inline + self._opened_threaded, writing + threaded_in_use

    async def close_pool(self) -> None:
        if self._checkpointing is not None:
            await self._checkpointing
            self._checkpointing = None
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        for connection in [self._reader, self._writer_connection, *self._threaded]:
            if connection is not None:
                connection.close()
        self._reader = self._writer_connection = None
        self._threaded.clear()
        self._opened_threaded = 0
        self._lock = None

    # Running statements ----------------------------------------------------------

    async def _read(self, sql: str, args: Any) -> Rows:
        if not _offloaded.get() and not self._known_slow(sql):
            self._deadline = time.perf_counter() + READ_BUDGET
            try:
                rows = self._columns.rows(self._inline_reader(), sql, args)
            except sqlite3.OperationalError as error:
                if str(error) == "interrupted":
                    self.reads["interrupted"] += 1
                    self._note_interrupted(sql)
                elif not _is_busy(error):
                    raise
            else:
                self.reads["inline"] += 1
                if self._interrupted:
                    self._interrupted.pop(sql, None)
                self._inline_reads += 1
                if self._inline_reads >= YIELD_EVERY:
                    self._inline_reads = 0
                    await asyncio.sleep(0)
                return rows
        self.reads["thread"] += 1
        return await self._on_thread(lambda: self._read_on_thread(sql, args))

    def _read_on_thread(self, sql: str, args: Any) -> Rows:
        if self._threaded:
            connection = self._threaded.pop()
        else:
            self._opened_threaded += 1
            try:
                connection = self._connect(timeout=self._busy_timeout)
            except BaseException:
                self._opened_threaded -= 1
                raise
        try:
            return self._columns.rows(connection, sql, args)
        finally:
            self._threaded.append(connection)

    def _known_slow(self, sql: str) -> bool:
        runs_left = self._slow.get(sql)
        if runs_left is None:
            return False
        if runs_left <= 1:
            del self._slow[sql]
        else:
            self._slow[sql] = runs_left - 1
        return True

    def _note_interrupted(self, sql: str) -> None:
        if sql not in self._interrupted:
            _remember(self._interrupted, sql, None)
            return
        del self._interrupted[sql]
        _remember(self._slow, sql, SLOW_RUNS)

    async def _write_outside_transaction(self, sql: str, args: Any, *, offload: bool) -> Rows:
        """BEGIN, COMMIT, or a write in autocommit mode: safe to run again after SQLITE_BUSY,
        which leaves nothing done."""
        writer = self._writer()
        if not offload:
            try:
                return self._columns.rows(writer, sql, args)
            except sqlite3.OperationalError as error:
                if not _is_busy(error):
                    raise
        return await self._on_thread(lambda: self._waiting_for_lock(writer, sql, args))

    def _waiting_for_lock(self, connection: sqlite3.Connection, sql: str, args: Any) -> Rows:
        milliseconds = int(self._busy_timeout * 1000)
        connection.execute(f"PRAGMA busy_timeout = {milliseconds}")
        try:
            return self._columns.rows(connection, sql, args)
        finally:
            connection.execute("PRAGMA busy_timeout = 0")

    async def _in_transaction(self, sql: str, args: Any, *, offload: bool) -> Rows:
        writer = self._writer()
        if offload:
            return await self._on_thread(lambda: self._columns.rows(writer, sql, args))
        return self._columns.rows(writer, sql, args)

    async def _autocommit_write(self, sql: str, args: Any) -> Rows:
        async with self._writer_lock():
            rows = await self._write_outside_transaction(sql, args, offload=_offloaded.get())
        self._committed()
        return rows

    def _committed(self) -> None:
        self._commits += 1
        if self._commits >= CHECKPOINT_EVERY and self._checkpointing is None:
            self._commits = 0
            self._checkpointing = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        """Copy the WAL's frames into the database file, in two passes on a thread.
        The first runs beside the writers and does most of the copying and syncing; the
        second, with the writer lock held, copies what they wrote meanwhile, so the next
        writer starts the WAL over from its beginning and it stays small under a steady
        load of writes. (Holding the lock for the whole copy made writers wait 10 to
        200 ms; the second pass takes a few.)"""
        checkpoint = "PRAGMA wal_checkpoint(PASSIVE)"  # waits for nobody
        try:
            await self._on_thread(lambda: self._read_on_thread(checkpoint, ()))
            async with self._writer_lock():
                writer = self._writer()
                await self._on_thread(lambda: self._columns.rows(writer, checkpoint, ()))
        except sqlite3.Error as error:
            log.warning("WAL checkpoint failed: %s", error)
        finally:
            self._checkpointing = None

    async def checkpoint_fully(self) -> bool:
        """Copy the whole WAL into the database file and empty it, so pages written
        before (an erased person's name) are gone from the WAL too. False when a reader
        in another process held on to an older snapshot past the busy timeout."""
        truncate = "PRAGMA wal_checkpoint(TRUNCATE)"
        async with self._writer_lock():
            writer = self._writer()
            rows = await self._on_thread(lambda: self._waiting_for_lock(writer, truncate, ()))
        return not rows or not rows[0].get("busy")

    async def _execute(self, sql: str, args: Any) -> Rows:
        self.statements += 1
        transaction = self.current_transaction.get()
        if transaction is not None:
            return await transaction.connection.execute(sql, args)
        if is_read(sql):
            return await self._read(sql, args)
        return await self._autocommit_write(sql, args)

    # Piccolo's entry points --------------------------------------------------------

    async def run_querystring(self, querystring: QueryString, in_pool: bool = False) -> Any:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=querystring.__str__())
        sql, args = querystring.compile_string(engine_type=self.engine_type)
        response = await self._execute(sql, args)
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> Any:
        query_id = self.get_query_id()
        if self.log_queries:
            self.print_query(query_id=query_id, query=ddl)
        response = await self._execute(ddl, ())
        if self.log_responses:
            self.print_response(query_id=query_id, response=response)
        return response

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> InlineTransaction:
        return InlineTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )
