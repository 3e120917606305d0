"""An index per triage lane, holding only the lane's ideas in the lane's order.

At 100,000 ideas a department holds ~6,700 open, unowned ideas: the Needs owner lane
read each of their rows (approval, hidden, status, votes are not in the triage index)
and sorted them all to show 50, 20-30 ms a lane, ~100 ms a page. With these partial
indexes each lane reads its 50 ideas in order and counts from the index alone. The
closed statuses are written out (not parameters): PostgreSQL uses a partial index only
where the query's conditions say the same, and a prepared statement's parameters do
not. Both databases take the same statements.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T01:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "triage lane indexes"

VISIBLE_OPEN = (
    "approval = 'approved' AND NOT hidden AND status NOT IN ('declined', 'done', 'duplicate')"
)
INDEXES = {
    "idea_lane_needs_owner": "ON idea (department,"
    " (CASE WHEN needs_owner_since IS NULL THEN 1 ELSE 0 END), vote_count DESC, id DESC)"
    f" WHERE owner IS NULL AND {VISIBLE_OPEN}",
    "idea_lane_routed": "ON idea (department, (COALESCE(last_update_at, created_at)), id)"
    f" WHERE owner IS NOT NULL AND {VISIBLE_OPEN}",
    "idea_lane_closed": "ON idea (department, (COALESCE(last_update_at, created_at)), id)"
    " WHERE approval = 'approved' AND NOT hidden"
    " AND status IN ('declined', 'done', 'duplicate')",
    "idea_lane_mine": "ON idea (owner, (COALESCE(last_update_at, created_at)), id)"
    f" WHERE {VISIBLE_OPEN}",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name, definition in INDEXES.items():
            await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} {definition}")

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
