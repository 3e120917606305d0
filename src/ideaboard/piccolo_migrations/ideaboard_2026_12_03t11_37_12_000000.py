"""One period funnel row per range and department: unique, so two processes writing the
same range update one row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:37:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "period funnel index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS period_funnel_once"
            " ON period_funnel (range_key, department)"
        )

    async def drop_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS period_funnel_once")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
