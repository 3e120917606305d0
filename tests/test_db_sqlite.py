"""The SQLite engine: short statements on the event loop, long ones and waits off it."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from piccolo.engine import sqlite as piccolo_sqlite

from ideaboard import db, db_sqlite, sqlite_rows
from ideaboard.db_sqlite import InlineSQLiteEngine, offloaded

T = TypeVar("T")

# A read that takes a few hundred milliseconds whatever the machine: a recursive count.
SLOW_READ = (
    "SELECT (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})"
    " SELECT COUNT(*) FROM n) AS c"
)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[InlineSQLiteEngine]:
    engine = db.engine_for(f"sqlite:///{tmp_path / 'engine.sqlite3'}")
    assert isinstance(engine, InlineSQLiteEngine)
    db.bind_tables(engine)  # write_transaction() is on the tables' engine
    await db.prepare(engine, pool_size=2)
    await engine.run_ddl("CREATE TABLE item (id INTEGER PRIMARY KEY, n INTEGER)")
    yield engine
    await db.close(engine)


async def ticks_while(work: Awaitable[T], interval: float = 0.005) -> tuple[T, int]:
    """Run `work` beside a task that counts how often the event loop let it run.

    With an interval it counts time the loop was free; with 0 it counts the
    turns it was given, however fast the work is.
    """
    ticks = 0
    done = False

    async def tick() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(interval)

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0)  # the ticker's first turn
    ticks = 0
    try:
        return await work, ticks
    finally:
        done = True
        await ticker


async def test_short_reads_run_on_the_event_loop_thread(engine: InlineSQLiteEngine) -> None:
    loop_thread = threading.get_ident()
    engine._inline_reader().create_function(
        "on_loop", 0, lambda: int(threading.get_ident() == loop_thread)
    )
    rows = await engine.run_ddl("SELECT on_loop() AS here")
    assert rows == [{"here": 1}]


async def test_a_slow_read_moves_to_a_thread_and_the_loop_keeps_running(
    engine: InlineSQLiteEngine,
) -> None:
    sql = SLOW_READ.format(3_000_000)
    rows, ticks = await ticks_while(engine.run_ddl(sql))
    assert rows == [{"c": 3_000_000}]  # interrupted inline, then run to the end on a thread
    assert ticks >= 3  # the loop ran other work meanwhile
    assert sql not in engine._slow  # once may be a cold cache
    await engine.run_ddl(sql)
    # Twice in a row: slow. It goes to a thread at once for the next runs.
    assert engine._slow[sql] == db_sqlite.SLOW_RUNS
    rows, ticks = await ticks_while(engine.run_ddl(sql))
    assert engine._slow[sql] == db_sqlite.SLOW_RUNS - 1
    assert ticks >= 3


async def test_a_read_slow_once_is_tried_inline_again_later(engine: InlineSQLiteEngine) -> None:
    sql = "SELECT COUNT(*) AS c FROM item"
    engine._note_interrupted(sql)
    await engine.run_ddl(sql)  # fast this time
    engine._note_interrupted(sql)
    assert sql not in engine._slow  # not twice in a row
    engine._note_interrupted(sql)
    assert engine._slow[sql] == db_sqlite.SLOW_RUNS
    for _ in range(db_sqlite.SLOW_RUNS):
        await engine.run_ddl(sql)
    assert sql not in engine._slow  # tried inline again after SLOW_RUNS runs


async def test_writes_wait_for_another_process_without_blocking_the_loop(
    engine: InlineSQLiteEngine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "engine.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    other.execute("INSERT INTO item (n) VALUES (1)")

    async def write() -> list[dict[str, Any]]:
        async with db.write_transaction():
            await engine.run_ddl("INSERT INTO item (n) VALUES (2)")
        return await engine.run_ddl("SELECT n FROM item ORDER BY id")

    async def release_soon() -> None:
        await asyncio.sleep(0.2)
        other.execute("COMMIT")

    releasing = asyncio.create_task(release_soon())
    rows, ticks = await ticks_while(write())
    await releasing
    other.close()
    assert rows == [{"n": 1}, {"n": 2}]  # it waited its turn, then wrote
    assert ticks >= 10  # the loop was free while it waited


async def test_a_cancelled_wait_for_the_lock_leaves_the_writer_usable(
    engine: InlineSQLiteEngine, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "engine.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    async def write(n: int) -> None:
        async with db.write_transaction():
            await engine.run_ddl(f"INSERT INTO item (n) VALUES ({n})")

    waiting = asyncio.create_task(write(1))
    await asyncio.sleep(0.1)
    waiting.cancel()
    other.execute("COMMIT")  # the worker thread's BEGIN may win the lock now
    with pytest.raises(asyncio.CancelledError):
        await waiting
    other.close()
    await write(2)
    assert await engine.run_ddl("SELECT n FROM item") == [{"n": 2}]
    assert not engine._writer().in_transaction


async def test_a_loop_of_transactions_lets_other_tasks_run(engine: InlineSQLiteEngine) -> None:

    async def many() -> None:
        for n in range(200):
            async with db.write_transaction():
                await engine.run_ddl(f"INSERT INTO item (n) VALUES ({n})")

    # Turns, not time: 200 small commits can take less than any interval.
    _, ticks = await ticks_while(many(), interval=0)
    assert ticks >= 100  # a turn for the others after each transaction
    assert await engine.run_ddl("SELECT COUNT(*) AS c FROM item") == [{"c": 200}]


async def test_offloaded_transactions_do_not_hold_up_the_loop(engine: InlineSQLiteEngine) -> None:
    slow_insert = (
        "INSERT INTO item (n) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s"
        " WHERE i < 400000) SELECT i FROM s"
    )

    async def job() -> None:
        with offloaded():
            async with db.write_transaction():
                await engine.run_ddl(slow_insert)

    _, ticks = await ticks_while(job())
    assert ticks >= 3
    assert await engine.run_ddl("SELECT COUNT(*) AS c FROM item") == [{"c": 400_000}]


async def test_a_failed_transaction_rolls_back_and_frees_the_writer(
    engine: InlineSQLiteEngine,
) -> None:
    with pytest.raises(sqlite3.OperationalError):
        async with db.write_transaction():
            await engine.run_ddl("INSERT INTO item (n) VALUES (1)")
            await engine.run_ddl("INSERT INTO nowhere (n) VALUES (1)")
    assert await engine.run_ddl("SELECT COUNT(*) AS c FROM item") == [{"c": 0}]
    async with db.write_transaction():
        await engine.run_ddl("INSERT INTO item (n) VALUES (3)")
    assert await engine.run_ddl("SELECT n FROM item") == [{"n": 3}]


@pytest.mark.parametrize(
    ("column_type", "stored"),
    [
        ("TIMESTAMPTZ", "2026-12-01 19:02:52.300051+00:00"),
        ("TIMESTAMPTZ", "2026-12-01T19:02:52.300051+00:00"),
        ("TIMESTAMPTZ", "2026-12-01 19:02:52"),
        ("BOOLEAN", 1),
        ("BOOLEAN", 0),
    ],
)
def test_converters_read_what_piccolos_read(column_type: str, stored: str | int) -> None:
    ours = sqlite_rows.read_moment if column_type == "TIMESTAMPTZ" else bool
    assert ours(stored) == piccolo_sqlite.CONVERTERS[column_type](str(stored).encode())


def test_nothing_of_sqlite3_is_changed_for_the_whole_process(tmp_path: Path) -> None:
    """sqlite3's converters are one registry for every connection of the process; the
    engine leaves them as Piccolo registered them and converts on its own connections."""
    assert db.engine_for(f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    for name, converter in piccolo_sqlite.CONVERTERS.items():
        assert sqlite3.converters[name] is converter, name


def test_a_column_name_means_one_kind_of_value() -> None:
    from piccolo.columns import Boolean, Timestamptz
    from piccolo.table import Table

    class Left(Table):
        done = Boolean()

    class Right(Table):
        done = Timestamptz()

    with pytest.raises(ValueError, match="'done' holds different kinds"):
        sqlite_rows.converters_for([Left, Right])
    assert sqlite_rows.converters_for([Left]) == {"done": bool}


async def test_columns_come_back_as_python_values(engine: InlineSQLiteEngine) -> None:
    """Booleans and moments by their columns' names, whatever the statement (a joined
    column through Piccolo is named "author.created_at", an alias may add a prefix)."""
    await engine.run_ddl("CREATE TABLE typed (n INTEGER, created_at TIMESTAMPTZ, hidden BOOLEAN)")
    moment = datetime(2026, 12, 1, 19, 2, 52, 300051, tzinfo=UTC)
    await engine.run_ddl(f"INSERT INTO typed VALUES (7, '{moment}', 1), (-40, NULL, 0)")
    rows = await engine.run_ddl(
        'SELECT n, created_at, hidden, created_at AS "author.created_at" FROM typed ORDER BY n DESC'
    )
    assert rows == [
        {"n": 7, "created_at": moment, "hidden": True, "author.created_at": moment},
        {"n": -40, "created_at": None, "hidden": False, "author.created_at": None},
    ]
    assert type(rows[0]["n"]) is int and rows[0]["created_at"].tzinfo is UTC


async def test_pool_usage_counts_the_connections(engine: InlineSQLiteEngine) -> None:
    await engine.run_ddl("SELECT 1")
    async with db.write_transaction():
        opened, in_use = engine.pool_usage()
        assert (opened, in_use) == (2, 1)  # reader and writer; the writer is busy
    assert engine.pool_usage() == (2, 0)


async def test_the_wal_is_checkpointed_beside_the_commits(
    engine: InlineSQLiteEngine, tmp_path: Path
) -> None:
    commits = db_sqlite.CHECKPOINT_EVERY * 5
    for n in range(commits):
        async with db.write_transaction():
            await engine.run_ddl(f"INSERT INTO item (n) VALUES ({n})")
        if (n + 1) % db_sqlite.CHECKPOINT_EVERY == 0 and engine._checkpointing is not None:
            # A pause in the writes, as between a board's bursts: the checkpoint started
            # beside the commits finishes. (Under back-to-back commits on a busy machine a
            # passive checkpoint may never catch up, and no WAL can start over then.)
            await engine._checkpointing
    other = sqlite3.connect(tmp_path / "engine.sqlite3")
    _, frames_in_wal, _ = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    other.close()
    # Every commit wrote at least one frame; checkpoints let the WAL start over.
    assert 0 <= frames_in_wal < commits / 2


async def test_piccolos_transaction_runs_on_the_writer_through_its_hooks(
    engine: InlineSQLiteEngine,
) -> None:
    """The engine's transaction is Piccolo's, with its hooks replaced (where it gets its
    connection, how it begins, what a commit does): if a Piccolo upgrade stops calling
    them, the writer is not taken, not given back, or the commit is not counted."""
    lock = engine._writer_lock()
    commits = engine._commits
    async with db.write_transaction() as transaction:
        assert lock.locked()  # get_connection took the writer
        async with engine.transaction():  # nested: the same transaction
            await engine.run_ddl("INSERT INTO item (n) VALUES (1)")
        assert engine.current_transaction.get() is transaction
    assert not lock.locked()  # close gave it back
    assert engine.current_transaction.get() is None
    assert engine._commits == commits + 1  # commit told the engine (the WAL checkpoints count it)
    assert await engine.run_ddl("SELECT n FROM item") == [{"n": 1}]


async def test_a_failed_commit_gives_the_writer_back(
    engine: InlineSQLiteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine._write_outside_transaction

    async def failing_commit(sql: str, args: Any, *, offload: bool) -> Any:
        if sql == "COMMIT":
            raise sqlite3.OperationalError("disk I/O error")
        return await real(sql, args, offload=offload)

    monkeypatch.setattr(engine, "_write_outside_transaction", failing_commit)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        async with db.write_transaction():
            await engine.run_ddl("INSERT INTO item (n) VALUES (1)")
    monkeypatch.undo()
    assert not engine._writer_lock().locked()
    assert engine.current_transaction.get() is None
    async with db.write_transaction():  # the writer is free, and not inside a transaction
        await engine.run_ddl("INSERT INTO item (n) VALUES (2)")
    assert await engine.run_ddl("SELECT n FROM item") == [{"n": 2}]
