"""The PostgreSQL engine: a stopped task never keeps a pooled connection."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import pytest
from piccolo.engine.postgres import PostgresTransaction

from ideaboard import db
from ideaboard.tables import Idea


async def _stall(*_: object) -> None:
    await asyncio.sleep(60)


@pytest.mark.parametrize("stalls_in", ["begin", "rollback"])
async def test_a_cancelled_transaction_gives_its_connection_back(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch, stalls_in: str
) -> None:
    """As a background loop is stopped at shutdown: cancelled while its transaction
    begins, or while it rolls back after a first cancel. A connection kept out of the
    pool would make closing the pool wait for ever."""
    async with db.connected(postgres_database) as engine:
        # Piccolo's own step stalls; the engine's transaction (PooledTransaction) runs
        # it through Piccolo's code and must still give the connection back.
        monkeypatch.setattr(PostgresTransaction, stalls_in, _stall)
        inside = asyncio.Event()

        async def loop_body() -> None:
            inside.set()
            async with db.write_transaction():
                await Idea.count()
                await asyncio.sleep(60)

        task = asyncio.create_task(loop_body())
        await inside.wait()
        for _ in range(2):  # once to stop it, once more while it cleans up
            await asyncio.sleep(0.2)
            task.cancel()
        with suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
        pool = engine.pool  # type: ignore[attr-defined]
        assert pool.get_idle_size() == pool.get_size()
        await asyncio.wait_for(db.close(engine), 2)
