"""Why a moderator rejected or hid an idea (its author reads it), and whether an
admin put away the first-run checklist."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T21:20:22:528679"
VERSION = "1.38.0"
DESCRIPTION = "moderation reason, first-run checklist"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Organisation",
        tablename="organisation",
        column_name="checklist_dismissed",
        db_column_name="checklist_dismissed",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
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

    manager.add_column(
        table_class_name="Idea",
        tablename="idea",
        column_name="moderation_reason",
        db_column_name="moderation_reason",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
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
