"""What services raise; the web layer turns these into pages and status codes."""

from __future__ import annotations

from ideaboard.domain import Verdict
from ideaboard.i18n import gettext


class ServiceError(Exception):
    pass


class NotFound(ServiceError):
    """What was asked for is not there (or not for this reader): the message says what,
    as a whole sentence (`gettext("This idea does not exist.")`)."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or gettext("This page does not exist."))


class Forbidden(ServiceError):
    """The actor may not do this; the message says why."""


def require(verdict: Verdict) -> None:
    """Go on only if the rule allows it; otherwise refuse, saying the rule's reason."""
    if not verdict:
        raise Forbidden(verdict.reason)


class ValidationFailed(ServiceError):
    """Input was refused; `errors` maps each field name to a message for the user."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
