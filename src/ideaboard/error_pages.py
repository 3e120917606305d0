"""The pages errors answer with: a title and a sentence, in the reader's language.

A 404 of an address no route matches is answered before the session middleware runs,
so the reader is unknown there: the page follows the browser's language (Accept-Language)
where the board speaks it, else the board's language as this process last saw it.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from litestar import Request
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response

from ideaboard import i18n
from ideaboard.api_schema import HTTP_TITLES as HTTP_TITLES_EN
from ideaboard.api_schema import PROBLEM_MEDIA_TYPE, problem
from ideaboard.i18n import gettext
from ideaboard.scim import MEDIA_TYPE as SCIM_MEDIA_TYPE
from ideaboard.scim import ScimError
from ideaboard.services.errors import Forbidden, NotFound, ServiceError, ValidationFailed
from ideaboard.services.limits import RateLimited
from ideaboard.web import PasswordsOff, render, see_other, too_many

log = logging.getLogger("ideaboard")


def _error_page(
    request: Request[Any, Any, Any], status_code: int, title: str, message: str
) -> Response[str]:
    return render(
        request, "errors/error.html", status_code=status_code, title=title, message=message
    )


def _outside_the_board(request: Request[Any, Any, Any]) -> tuple[Any, Any] | None:
    """A request no route took never met the session middleware: its language, for the
    error page (see the module's docstring)."""
    if "user" in request.scope:
        return None
    browser = i18n.from_accept_language(request.headers.get("accept-language", ""))
    return i18n.set_language(browser or i18n.last_board_language())


def on_not_signed_in(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    login = request.app.route_reverse("accounts:login")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method == "GET" and target != "/":
        login += f"?next={quote(target, safe='')}"
    if isinstance(request, HTMXRequest) and request.htmx:
        return Response("", status_code=401, headers={"HX-Redirect": login})
    return see_other(login)


def on_service_error(request: Request[Any, Any, Any], error: Exception) -> Response[str]:
    if isinstance(error, NotFound):
        return _error_page(request, 404, gettext("Not found"), str(error))
    if isinstance(error, Forbidden):
        return _error_page(request, 403, gettext("Not allowed"), str(error))
    if isinstance(error, ValidationFailed):
        message = " ".join(error.errors.values())
        return _error_page(request, 422, gettext("Check your input"), message)
    if isinstance(error, RateLimited):
        return too_many(_error_page(request, 429, gettext("Slow down"), str(error)), error)
    return _error_page(request, 400, gettext("Something is wrong"), str(error))


HTTP_TITLES = {
    400: i18n.lazy_gettext("Bad request"),
    403: i18n.lazy_gettext("Not allowed"),
    404: i18n.lazy_gettext("Not found"),
    405: i18n.lazy_gettext("Not allowed here"),
    413: i18n.lazy_gettext("Too large"),
    429: i18n.lazy_gettext("Slow down"),
}


def _machine_answer(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any] | None:
    """An address no route took under /api/ or /scim/ (a malformed id, an unknown
    path) is answered in that interface's format, not with a page."""
    path, status = request.url.path, error.status_code
    if path.startswith("/api/"):
        title = HTTP_TITLES_EN.get(status, "Error")
        body = problem(status, title, str(error.detail))
        return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)
    if path.startswith("/scim/"):
        scim_error = ScimError(status, str(error.detail))
        return Response(scim_error.payload(), status_code=status, media_type=SCIM_MEDIA_TYPE)
    return None


def on_http_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    assert isinstance(error, HTTPException)
    machine = _machine_answer(request, error)
    if machine is not None:
        return machine
    outside = _outside_the_board(request)
    try:
        page = _http_error_page(request, error)
    finally:
        if outside is not None:
            i18n.reset_language(outside)
    page.headers.update(error.headers or {})  # e.g. a 405's Allow
    return page


def _http_error_page(request: Request[Any, Any, Any], error: HTTPException) -> Response[str]:
    status = error.status_code
    if isinstance(error, NotFoundException):
        message = gettext("There is no page at this address.")
    elif isinstance(error, PermissionDeniedException) and "CSRF" in str(error.detail):
        message = gettext("This form expired. Go back, reload the page and try again.")
    elif isinstance(error, ValidationException):  # a posted form that is not one of ours
        message = gettext("This form could not be read: send it from the page.")
    elif status >= 500:
        message = gettext("Something went wrong on our side.")
    else:
        message = str(error.detail)
    return _error_page(request, status, str(HTTP_TITLES.get(status, gettext("Error"))), message)


def on_unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[str]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return _error_page(
        request,
        500,
        gettext("Something went wrong"),
        gettext("Something went wrong on our side. Please try again in a moment."),
    )


def on_passwords_off(request: Request[Any, Any, Any], _: Exception) -> Response[str]:
    """IDEABOARD_PASSWORD_SIGNIN=false: the password pages point to the company sign-in."""
    return render(request, "accounts/company_only.html", status_code=404)


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    NotAuthorizedException: on_not_signed_in,
    PasswordsOff: on_passwords_off,
    ServiceError: on_service_error,
    HTTPException: on_http_error,
    Exception: on_unexpected_error,
}
