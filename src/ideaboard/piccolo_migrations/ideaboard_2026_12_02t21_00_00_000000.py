"""Take bidirectional controls out of the names and titles already stored.

From now on every form drops them on the way in (`validation.without_bidi_controls`):
an override character in a title or a name reorders the text shown after it, so
"Mia" could read as someone else. This cleans what came in before.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-02T21:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no bidi controls in names and titles"

CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
COLUMNS = (
    ("account", "name"),
    ("idea", "title"),
    ("department", "name"),
    ("organisation", "name"),
)


def cleaned(column: str) -> str:
    expression = column
    for control in CONTROLS:
        expression = f"REPLACE({expression}, '{control}', '')"
    return expression


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def clean() -> None:
        engine = engine_finder()
        assert engine is not None
        for table, column in COLUMNS:
            await engine.run_ddl(
                f"UPDATE {table} SET {column} = {cleaned(column)}"  # noqa: S608 (constants)
                f" WHERE {column} <> {cleaned(column)}"
            )

    manager.add_raw(clean)
    return manager
