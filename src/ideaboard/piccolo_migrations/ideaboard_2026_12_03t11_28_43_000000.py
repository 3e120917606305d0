"""One contributor row per person (unique: two processes counting the same person update
one row), and their order on /insights, most shipped first, read from the index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:28:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "contributor indexes"

INDEXES = {
    "contributor_once": "UNIQUE INDEX IF NOT EXISTS contributor_once ON contributor (account)",
    "contributor_ranked": "INDEX IF NOT EXISTS contributor_ranked"
    " ON contributor (shipped DESC, proposed DESC, account)",
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
