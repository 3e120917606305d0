"""Indexes for the board's filtered sorts: one status, or one department, in sort order.

With them every sort and filter reads its page in index order (see
tests/test_board_plans.py), so a page costs the same on a board of any size.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:58:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "filtered board sort indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS idea_status_hot ON idea (status, hot_score, id)",
    "CREATE INDEX IF NOT EXISTS idea_status_top ON idea (status, vote_count, id)",
    "CREATE INDEX IF NOT EXISTS idea_status_new ON idea (status, id)",
    "CREATE INDEX IF NOT EXISTS idea_status_trending ON idea (status, trending_votes, id)",
    "CREATE INDEX IF NOT EXISTS idea_department_trending ON idea (department, trending_votes, id)",
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
