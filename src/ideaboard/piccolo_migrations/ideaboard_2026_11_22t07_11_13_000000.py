"""Indexes for the triage, moderation queues, notifications and merges."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T07:11:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "triage, moderation, notification and merge indexes"

STATEMENTS = (
    # The bell's unread count and the notifications page, newest first.
    "CREATE INDEX IF NOT EXISTS notification_unread ON notification (account)"
    " WHERE read_at IS NULL",
    "CREATE INDEX IF NOT EXISTS notification_by_account ON notification (account, id)",
    # The delivery loop turns these into emails.
    "CREATE INDEX IF NOT EXISTS notification_to_email ON notification (id)"
    " WHERE emailed = 'pending'",
    # A manager's lanes: ideas for their departments, by owner and status.
    "CREATE INDEX IF NOT EXISTS idea_triage ON idea (department, owner, status)",
    # The moderation queues hold few rows out of many.
    "CREATE INDEX IF NOT EXISTS idea_awaiting_approval ON idea (id) WHERE approval = 'pending'",
    "CREATE INDEX IF NOT EXISTS comment_awaiting_approval ON comment (id)"
    " WHERE approval = 'pending'",
    "CREATE INDEX IF NOT EXISTS flag_open ON flag (id) WHERE resolved_at IS NULL",
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
