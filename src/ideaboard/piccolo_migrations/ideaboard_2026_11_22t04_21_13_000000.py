"""Indexes Piccolo cannot declare on a table: one vote per person per idea.

A unique index rather than a table constraint: SQLite cannot ALTER TABLE ADD
CONSTRAINT, and a unique index enforces the same rule on both databases. It
lives in its own migration because Piccolo runs raw steps before it creates
the tables of the same migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T04:21:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "one vote per person per idea"

STATEMENTS = ("CREATE UNIQUE INDEX IF NOT EXISTS vote_one_per_person ON vote (voter, idea)",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
