"""One company account per directory subject: a unique index on account.oidc_subject.

An index, not a UNIQUE column: SQLite cannot add one to an existing table, and raw
statements run before a migration's columns are added, so this is its own migration.
NULLs (people who never used the company sign-in) do not collide on either database.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T05:25:19:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique directory subject"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def add_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS account_oidc_subject ON account (oidc_subject)"
        )

    async def drop_index() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("DROP INDEX IF EXISTS account_oidc_subject")

    manager.add_raw(add_index)
    manager.add_raw_backwards(drop_index)
    return manager
