"""The index that serves the Trending sort in order (keyset pagination)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:30:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "trending sort index"

STATEMENTS = ("CREATE INDEX IF NOT EXISTS idea_trending_board ON idea (trending_votes, id)",)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(create_indexes)
    return manager
