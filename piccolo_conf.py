"""Piccolo CLI entry (`piccolo migrations new ideaboard --auto`); the real config is in the package."""

from ideaboard.piccolo_conf import APP_REGISTRY, DB

__all__ = ["APP_REGISTRY", "DB"]
