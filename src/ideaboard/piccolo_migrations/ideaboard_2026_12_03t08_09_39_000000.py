"""Indexes of the event stream that Piccolo's columns cannot say.

- events not yet fanned out: a partial index, so the dispatcher's claim reads only them;
- one delivery per endpoint and event: a unique index, so a fan-out that runs twice (two
  processes, or a crash between its statements) cannot send an event twice;
- due deliveries, in the order they are claimed.

And the votes already counted are not news: each idea's announced count starts at its
count, so the first minute after the upgrade does not announce every idea at once.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-03T08:09:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "event stream indexes"

INDEXES = {
    "domain_event_waiting": "ON domain_event (id) WHERE dispatched_at IS NULL",
    "webhook_delivery_once": "ON webhook_delivery (endpoint, event)",
    "webhook_delivery_due": "ON webhook_delivery (state, next_attempt_at)",
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def add_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name, rest in INDEXES.items():
            unique = "UNIQUE " if name == "webhook_delivery_once" else ""
            await engine.run_ddl(f"CREATE {unique}INDEX IF NOT EXISTS {name} {rest}")
        await engine.run_ddl("UPDATE idea SET announced_votes = vote_count")

    async def drop_indexes() -> None:
        engine = engine_finder()
        assert engine is not None
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(add_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
