"""A Piccolo SQLite engine that keeps its connections open.

Piccolo's SQLiteEngine opens (and configures) a new connection, with a new thread,
for every query and every transaction. Here a small pool of connections is opened
once per process and configured once: foreign keys on, WAL, synchronous=NORMAL
(durable in WAL mode against application crashes; a power cut may lose the last
transactions, never corrupt the file).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

POOL_SIZE = 4


class NoConnectOnCreate:
    """Piccolo engines check the server version, synchronously, the moment they are
    created; ideaboard's engines (SQLite here, PostgreSQL in ideaboard.db) connect only
    when they are used."""

    async def check_version(self) -> None:
        return None


class PooledTransaction(SQLiteTransaction):
    """Takes a pooled connection for the transaction and gives it back afterwards."""

    engine: PooledSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire()

    async def __aenter__(self) -> PooledTransaction:
        if self._parent is not None:
            return self._parent  # type: ignore[return-value]
        self.connection = await self.get_connection()
        try:
            await self.begin()  # BEGIN IMMEDIATE may time out: give the connection back
        except BaseException:
            self.engine.release(self.connection)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            # Never return a connection to the pool with a transaction still open.
            with suppress(Exception):
                await self.connection.execute("ROLLBACK")
            raise
        finally:
            self.engine.release(self.connection)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(NoConnectOnCreate, SQLiteEngine):
    def __init__(self, *args: Any, pool_size: int = POOL_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pool_size = pool_size
        self._idle: asyncio.LifoQueue[aiosqlite.Connection] | None = None
        self._opened = 0
        self._all: list[aiosqlite.Connection] = []

    async def _open(self) -> aiosqlite.Connection:
        connecting = aiosqlite.connect(**self.connection_kwargs)
        try:
            connection = await connecting
        except BaseException:
            # On a failed connect aiosqlite queues the end of its worker thread without
            # waiting for it; wait here, or the thread may report to an event loop that
            # has closed meanwhile ("Event loop is closed" from a stray thread).
            await asyncio.to_thread(connecting._thread.join, 5)
            raise
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        self._all.append(connection)
        return connection

    async def acquire(self) -> aiosqlite.Connection:
        if self._idle is None:
            self._idle = asyncio.LifoQueue()
        if self._idle.empty() and self._opened < self._pool_size:
            self._opened += 1
            try:
                return await self._open()
            except BaseException:
                self._opened -= 1
                raise
        return await self._idle.get()

    def release(self, connection: aiosqlite.Connection) -> None:
        assert self._idle is not None
        self._idle.put_nowait(connection)

    def pool_usage(self) -> tuple[int, int]:
        """(open, in use) connections."""
        idle = self._idle.qsize() if self._idle is not None else 0
        return self._opened, self._opened - idle

    async def close_pool(self) -> None:
        for connection in self._all:
            await connection.close()
        self._all.clear()
        self._idle = None
        self._opened = 0

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> PooledTransaction:
        return PooledTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.acquire()
        try:
            async with connection.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            self.release(connection)

    async def _run_in_existing_connection(
        self,
        connection: aiosqlite.Connection,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()
