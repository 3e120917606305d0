"""The weekly flow and funnel: one row per week and cell (unique, so two processes
counting the same week update one row), and the creation-time indexes that let a week
be counted from its own ideas and comments rather than from all of them. Both are
written when an idea or comment is made, never when it is voted on."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T11:15:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "weekly flow and funnel indexes"

INDEXES = {
    "weekly_flow_once": "UNIQUE INDEX IF NOT EXISTS weekly_flow_once"
    " ON weekly_flow (week, source, target)",
    "weekly_funnel_once": "UNIQUE INDEX IF NOT EXISTS weekly_funnel_once"
    " ON weekly_funnel (week, department)",
    "idea_created": "INDEX IF NOT EXISTS idea_created ON idea (created_at)",
    "comment_created": "INDEX IF NOT EXISTS comment_created ON comment (created_at)",
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
