"""Atom feeds (issue #21): the number each person's feed links are signed with;
making a new one revokes the old links."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T06:15:57:887527"
VERSION = "1.38.0"
DESCRIPTION = "feed links"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    manager.add_column(
        table_class_name="User",
        tablename="account",
        column_name="feed_generation",
        db_column_name="feed_generation",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
