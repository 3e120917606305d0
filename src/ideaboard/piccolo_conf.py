"""Piccolo's configuration for the `ideaboard migrate` command and the piccolo CLI."""

from piccolo.conf.apps import AppRegistry

from ideaboard.db import engine_for
from ideaboard.settings import Settings

DB = engine_for(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["ideaboard.piccolo_app"])
