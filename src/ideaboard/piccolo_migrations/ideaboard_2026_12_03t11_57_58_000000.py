"""One row per week, owner and department, and per range, owner and department: unique,
so two processes counting the same week or range update one row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:57:58:000000"
VERSION = "1.38.0"
DESCRIPTION = "owner response indexes"

INDEXES = {
    "weekly_owner_once": "UNIQUE INDEX IF NOT EXISTS weekly_owner_once"
    " ON weekly_owner (week, owner, department)",
    "period_owner_once": "UNIQUE INDEX IF NOT EXISTS period_owner_once"
    " ON period_owner (range_key, owner, department)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for definition in INDEXES.values():
            await engine.run_ddl(f"CREATE {definition}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
