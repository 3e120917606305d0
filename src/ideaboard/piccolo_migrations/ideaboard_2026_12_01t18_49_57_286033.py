"""Drop two indexes that the board's composite indexes already cover.

`idea.hot_score` alone is a prefix of idea_hot_board (hot_score, id), and `vote.idea`
alone of vote_idea_created (idea, created_at). Each vote rewrote both for nothing: on
SQLite a vote's commit wrote a WAL frame more per index.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import DoublePrecision, ForeignKey

ID = "2026-12-01T18:49:57:286033"
VERSION = "1.38.0"
DESCRIPTION = "drop indexes covered by the board indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    manager.alter_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="hot_score",
        db_column_name="hot_score",
        params={"index": False},
        old_params={"index": True},
        column_class=DoublePrecision,
        old_column_class=DoublePrecision,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Vote",
        tablename="vote",
        column_name="idea",
        db_column_name="idea",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
