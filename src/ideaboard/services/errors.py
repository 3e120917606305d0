"""What services raise; the web layer turns these into pages and status codes."""

from __future__ import annotations

from ideaboard.domain import Verdict


class ServiceError(Exception):
    pass


class NotFound(ServiceError):
    def __init__(self, what: str = "This page") -> None:
        super().__init__(f"{what} does not exist.")


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
