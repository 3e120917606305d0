"""Full-text search over idea titles and descriptions, in each database's own way.

SQLite: an FTS5 index (external content: it stores no second copy of the text) kept in
step with `idea` by triggers. PostgreSQL: a generated, weighted `tsvector` column with a
GIN index. Titles weigh more than descriptions on both.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-22T05:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "full-text search"

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS idea_fts USING fts5("
    "title, body, content='idea', content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER IF NOT EXISTS idea_fts_insert AFTER INSERT ON idea BEGIN"
    " INSERT INTO idea_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS idea_fts_delete AFTER DELETE ON idea BEGIN"
    " INSERT INTO idea_fts (idea_fts, rowid, title, body)"
    " VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS idea_fts_update AFTER UPDATE OF title, body ON idea BEGIN"
    " INSERT INTO idea_fts (idea_fts, rowid, title, body)"
    " VALUES ('delete', old.id, old.title, old.body);"
    " INSERT INTO idea_fts (rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO idea_fts (idea_fts) VALUES ('rebuild')",
)
POSTGRES = (
    "ALTER TABLE idea ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS idea_search ON idea USING GIN (search_vector)",
)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def create_search() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(create_search)
    return manager
