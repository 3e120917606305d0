"""One row per department and week of participation: a unique index, so two processes
counting the same week at once update one row (INSERT ... ON CONFLICT)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T09:01:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "weekly participation index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def add_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS weekly_participation_once"
            " ON weekly_participation (week, department)"
        )

    async def drop_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS weekly_participation_once")

    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
