"""One period flow row per range and cell, one owner load row per owner and department:
unique, so two processes writing them at once update one row."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T12:06:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "period flow and owner load indexes"

INDEXES = {
    "period_flow_once": "UNIQUE INDEX IF NOT EXISTS period_flow_once"
    " ON period_flow (range_key, source, target)",
    "owner_load_once": "UNIQUE INDEX IF NOT EXISTS owner_load_once"
    " ON owner_load (owner, department)",
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
