"""Uniqueness and lookup indexes for the outbox, scheduled runs, follows and managers.

Unique indexes rather than table constraints: SQLite cannot ALTER TABLE ADD CONSTRAINT.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T06:38:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox, job run, subscription and manager indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS job_run_one_per_period ON job_run (job, period)",
    "CREATE UNIQUE INDEX IF NOT EXISTS subscription_one_per_person ON subscription (account, idea)",
    "CREATE UNIQUE INDEX IF NOT EXISTS department_manager_once"
    " ON department_manager (department, manager)",
    # The sender's claim reads the due rows in order, never the sent ones.
    "CREATE INDEX IF NOT EXISTS outbox_email_due ON outbox_email (next_attempt_at, id)"
    " WHERE sent_at IS NULL AND failed_at IS NULL",
    # The digest counts the votes each idea received in one week.
    "CREATE INDEX IF NOT EXISTS vote_created_at ON vote (created_at)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
