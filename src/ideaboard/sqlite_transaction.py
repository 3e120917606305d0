"""Piccolo's SQLite transaction on ideaboard's engine (ideaboard.db_sqlite): one writer
connection, held by one transaction of the process at a time."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from piccolo.engine.sqlite import SQLiteTransaction, TransactionType

from ideaboard.sqlite_rows import Rows

if TYPE_CHECKING:
    from ideaboard.db_sqlite import InlineSQLiteEngine


class _WriterConnection:
    """The writer connection as Piccolo's transaction uses it: `execute` (BEGIN and
    COMMIT wait, on a thread, while another process holds the database's write lock;
    the rest run straight on the connection) and `close`, which gives the writer to the
    next transaction of this process."""

    def __init__(self, engine: InlineSQLiteEngine, *, offload: bool) -> None:
        self.engine = engine
        self.offload = offload
        self.closed = False

    async def execute(self, sql: str, args: Any = ()) -> Rows:
        if sql.startswith("BEGIN") or sql == "COMMIT":
            return await self.engine._write_outside_transaction(sql, args, offload=self.offload)
        return await self.engine._in_transaction(sql, args, offload=self.offload)

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.engine._abandon_transaction()  # never leave the writer inside a transaction
        self.engine._writer_lock().release()
        await asyncio.sleep(0)  # let the other tasks run (the statements did not suspend)


class InlineTransaction(SQLiteTransaction):
    """Piccolo's own transaction, on the engine's one writer connection, held by one
    transaction of this process at a time. Only its hooks differ: where it gets its
    connection, how it begins, what a commit tells the engine, and that the writer is
    given back even when a commit fails (tests/test_db_sqlite.py fails if a Piccolo
    upgrade stops calling them)."""

    engine: InlineSQLiteEngine
    connection: _WriterConnection

    async def get_connection(self) -> _WriterConnection:
        await self.engine._writer_lock().acquire()
        return _WriterConnection(self.engine, offload=self.engine.offloading())

    async def begin(self) -> None:
        # Deferred becomes immediate: on the one writer connection, a deferred transaction
        # gains nothing, and its first write would fail at once (busy timeout 0) while
        # another process writes, where BEGIN IMMEDIATE waits for its turn.
        kind = "EXCLUSIVE" if self.transaction_type is TransactionType.exclusive else "IMMEDIATE"
        try:
            await self.connection.execute(f"BEGIN {kind}")
        except BaseException:
            await self.connection.close()
            raise

    async def commit(self) -> None:
        await super().commit()
        self.engine._committed()

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        try:
            return await super().__aexit__(exception_type, exception, traceback)
        except BaseException:
            if self._parent is None:  # the commit or rollback failed: Piccolo stopped there
                await self.connection.close()
                self.engine.current_transaction.reset(self.context)
            raise
