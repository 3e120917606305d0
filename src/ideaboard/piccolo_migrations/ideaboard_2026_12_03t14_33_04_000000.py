"""One running row per department (or owner and department) and week, one span row per
span and cell: unique, so two processes counting at once update one row; and the
running rows read in the order of their weeks."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T14:33:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "running funnel and span indexes"

INDEXES = {
    "running_funnel_once": "UNIQUE INDEX IF NOT EXISTS running_funnel_once"
    " ON running_funnel (department, week)",
    "running_owner_once": "UNIQUE INDEX IF NOT EXISTS running_owner_once"
    " ON running_owner (department, owner, week)",
    "span_flow_once": "UNIQUE INDEX IF NOT EXISTS span_flow_once"
    " ON span_flow (size, first_week, source, target)",
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
