"""Languages (issue #19): the organisation's default language, and each person's choice
("" follows the organisation's)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "languages"


def _params(default: str) -> dict[str, object]:
    return {
        "length": 8,
        "default": default,
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Organisation",
        tablename="organisation",
        column_name="language",
        db_column_name="language",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params("en"),
        schema=None,
    )
    manager.add_column(
        table_class_name="User",
        tablename="account",
        column_name="language",
        db_column_name="language",
        column_class_name="Varchar",
        column_class=Varchar,
        params=_params(""),
        schema=None,
    )
    return manager
