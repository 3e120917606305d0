"""One waiting edit per idea and per comment: a newer edit replaces the one waiting.

In a migration of its own: Piccolo runs raw steps before it creates the tables of the
same migration.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T20:21:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "one waiting edit per idea and comment"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS pending_edit_one_per_idea ON pending_edit (idea)",
    "CREATE UNIQUE INDEX IF NOT EXISTS pending_edit_one_per_comment ON pending_edit (comment)",
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
