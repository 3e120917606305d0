"""Claims on scheduled runs, made through the database so one process wins each period.

A run is a `JobRun` row, UNIQUE by (job, period). The claiming process holds a lease
and renews it while it works; if it dies, the lease runs out and another process
claims the unfinished run and resumes it (every job here is safe to resume).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from secrets import token_hex

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.tables import JobRun

LEASE = timedelta(minutes=2)
OWNER = f"{socket.gethostname()}:{os.getpid()}:{token_hex(3)}"

CLAIM_NEW = """
INSERT INTO job_run (job, period, owner, started_at, lease_until, finished_at, outcome)
VALUES ({}, {}, {}, {}, {}, NULL, '')
ON CONFLICT (job, period) DO NOTHING
RETURNING id
"""
CLAIM_ABANDONED = """
UPDATE job_run SET owner = {}, lease_until = {}
WHERE job = {} AND period = {} AND finished_at IS NULL AND lease_until < {}
RETURNING id
"""


@dataclass(frozen=True)
class Claim:
    id: int
    job: str
    period: str


async def claim_run(
    job: str, period: str, *, lease: timedelta = LEASE, at: datetime | None = None
) -> Claim | None:
    """This process's claim on the run, or None when another process has it or it is done."""
    moment = at or now()
    async with write_transaction():
        rows = await JobRun.raw(CLAIM_NEW, job, period, OWNER, moment, moment + lease)
        if not rows:
            rows = await JobRun.raw(CLAIM_ABANDONED, OWNER, moment + lease, job, period, moment)
    return Claim(rows[0]["id"], job, period) if rows else None


async def finish_run(claim: Claim, outcome: str) -> None:
    async with write_transaction():
        await JobRun.update({JobRun.finished_at: now(), JobRun.outcome: outcome[:2000]}).where(
            JobRun.id == claim.id
        )


@asynccontextmanager
async def holding(claim: Claim, *, lease: timedelta = LEASE) -> AsyncIterator[None]:
    """Renew the claim's lease while the body runs."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(lease.total_seconds() / 3)
            async with write_transaction():
                await JobRun.update({JobRun.lease_until: now() + lease}).where(
                    JobRun.id == claim.id
                )

    renewal = asyncio.create_task(renew())
    try:
        yield
    finally:
        renewal.cancel()
        await asyncio.gather(renewal, return_exceptions=True)


async def forget_runs(job: str, *, older_than: timedelta, at: datetime | None = None) -> None:
    """Drop a frequent job's finished runs once they are history."""
    async with write_transaction():
        await JobRun.delete().where(
            JobRun.job == job,
            JobRun.finished_at.is_not_null(),
            JobRun.started_at < (at or now()) - older_than,
        )
