"""One import key per source row: unique, so a re-run (or two at once) imports nothing
twice."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T17:07:12:000000"
VERSION = "1.38.0"
DESCRIPTION = "import key index"

INDEXES = {
    "import_key_once": "UNIQUE INDEX IF NOT EXISTS import_key_once ON import_key (source, key)",
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
