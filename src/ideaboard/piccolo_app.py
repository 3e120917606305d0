"""Piccolo app registration: where the tables and their migrations live."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from ideaboard.tables import TABLES

APP_CONFIG = AppConfig(
    app_name="ideaboard",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=list(TABLES),
)
