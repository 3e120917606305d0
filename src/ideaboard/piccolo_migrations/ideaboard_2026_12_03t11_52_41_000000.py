"""A person's comments by time, so counting a week's first-timers asks each participant
whether they commented before it from an index, not from every comment. Written when a
comment is made."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:52:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "comment author index"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE INDEX IF NOT EXISTS comment_author_created ON comment (author, created_at)"
        )

    async def drop_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS comment_author_created")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
