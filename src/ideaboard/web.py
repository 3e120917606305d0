"""What every controller shares: rendering (templates are set up in ideaboard.templating),
the signed-in user, guards, error pages."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from jinja2 import Environment
from jinja2_fragments import render_block
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.enums import MediaType, RequestEncodingType, ScopeType
from litestar.exceptions import (
    NotAuthorizedException,
    PermissionDeniedException,
)
from litestar.handlers import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.params import Body
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Response
from litestar.response.redirect import ASGIRedirectResponse
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ideaboard import i18n
from ideaboard.flash import FLASH_COOKIE, flash_cookie, read_flash
from ideaboard.i18n import gettext
from ideaboard.security import (
    CSRF_EXEMPT,
    CSRF_SCOPE_KEY,
    SAFE_METHODS,
    app_csrf_config,
    csrf_cookie,
    session_csrf_token,
)
from ideaboard.services import organisation
from ideaboard.services.limits import RateLimited
from ideaboard.services.organisation import OrganisationRow
from ideaboard.services.sessions import CurrentUser, find_visit
from ideaboard.settings import Settings

log = logging.getLogger("ideaboard")

SESSION_COOKIE = "ideaboard_session"  # over plain http; see Settings.session_cookie_name
SETUP_EXEMPT = ("/setup", "/healthz", "/metrics", "/static/")


def render(
    request: Request[Any, Any, Any],
    template_name: str,
    *,
    block: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response[str]:
    """A page, or with `block` one named fragment of it for an htmx swap."""
    env: Environment = request.app.state.templates
    context = {"request": request, "current_user": current_user(request), **context}
    shown_flash = False
    if block:
        html = render_block(env, template_name, block, context)
    else:
        org: OrganisationRow | None = request.state.get("organisation")
        context.setdefault("organisation_name", org.name if org else "ideaboard")
        raw_flash = request.cookies.get(FLASH_COOKIE)
        if raw_flash:
            context["flash"] = read_flash(app_csrf_config(request).secret, raw_flash)
            shown_flash = True
        html = env.get_template(template_name).render(context)
    headers = {"Vary": "HX-Request"}
    if context["current_user"] is not None:
        headers["Cache-Control"] = "no-store"  # personal pages never sit in a shared cache
    response = Response(html, status_code=status_code, media_type=MediaType.HTML, headers=headers)
    if shown_flash:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def shown_once(page: Response[str], url: str) -> Response[str]:
    """A page with a new secret on it: never stored, and its address is `url` (htmx
    replaces the address bar), so a reload shows the page again rather than a 405."""
    page.headers["Cache-Control"] = "no-store"
    page.headers["HX-Replace-Url"] = url
    return page


def see_other(url: str) -> Redirect:
    """POST → 303 → GET, so a reload never repeats the action."""
    return Redirect(url, status_code=303)


def done(
    request: Request[Any, Any, Any],
    url: str,
    message: str,
    *,
    undo: str = "",
    undo_fields: dict[str, str] | None = None,
    **params: Any,
) -> Redirect:
    """POST → 303 → GET, and the next page says what was done (flash.MESSAGES[message]),
    with an Undo button posting `undo_fields` to `undo` where there is one."""
    secret = app_csrf_config(request).secret
    response = see_other(url)
    response.cookies.append(
        flash_cookie(secret, message, undo=undo, undo_fields=undo_fields, **params)
    )
    return response


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """A targeted htmx request (a fragment swap), not a boosted page navigation."""
    htmx = request.htmx if isinstance(request, HTMXRequest) else None
    return htmx is not None and bool(htmx) and not htmx.boosted


def htmx_target(request: Request[Any, Any, Any]) -> str | None:
    """The id of the element a targeted htmx request swaps, if any."""
    return request.htmx.target if is_htmx(request) else None  # type: ignore[attr-defined]


# The signed-in user ------------------------------------------------------------


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser | None:
    user: CurrentUser | None = connection.scope.get("user")
    return user


def session_token(request: Request[Any, Any, Any]) -> str:
    """The session cookie's value (the token), or ""."""
    settings: Settings = request.app.state.settings
    return request.cookies.get(settings.session_cookie_name, "")


async def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    """The signed-in person, for every handler with a `user: CurrentUser` parameter (the
    app's one dependency, `DEPENDENCIES`); a visitor is sent to sign in."""
    user = current_user(request)
    if user is None:
        raise NotAuthorizedException()
    return user


DEPENDENCIES = {"user": Provide(provide_user)}
# How a handler asks for the signed-in person: `user: SignedIn`.
SignedIn = NamedDependency[CurrentUser]
# How it asks for a posted form, as data: `data: Annotated[IdeaInput, POSTED]`
# (services.forms.Form).
POSTED = Body(media_type=RequestEncodingType.URL_ENCODED)


def session_cookie(settings: Settings, token: str, *, max_age: int) -> Cookie:
    return Cookie(
        key=settings.session_cookie_name,
        value=token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


class SessionMiddleware(ASGIMiddleware):
    """Puts the organisation and the signed-in user (or None) in the scope, and binds
    forms to the session: an unsafe request of a signed-in person must carry the
    session's own CSRF token (`session_csrf_token`); a page for them hands it out.

    A board without an organisation has not been set up: every page but the
    setup page, the health check and static files redirects there.
    """

    scopes = (ScopeType.HTTP,)

    def should_bypass_for_scope(self, scope: Scope) -> bool:
        # Static files, the health check and metrics need no user and no organisation.
        path: str = scope["path"]
        return path.startswith("/static/") or path in ("/healthz", "/metrics")

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
        settings: Settings = connection.app.state.settings
        path = scope["path"]
        lifetime = timedelta(days=settings.session_days)
        token = connection.cookies.get(settings.session_cookie_name, "")
        visit = await find_visit(token, lifetime=lifetime)
        connection.state.organisation = org = visit.organisation
        if org is None and not path.startswith(SETUP_EXEMPT):
            await ASGIRedirectResponse(path="/setup", status_code=303)(scope, receive, send)
            return
        found = visit.session
        scope["user"] = found.user if found else None
        if found and found.renewed:
            cookie = session_cookie(settings, token, max_age=int(lifetime.total_seconds()))
            send = _with_cookie(send, cookie.key, cookie.to_encoded_header())
        if found and not path.startswith(CSRF_EXEMPT):
            config = app_csrf_config(connection)
            bound = session_csrf_token(config.secret, token)
            scope_values: dict[str, Any] = scope  # type: ignore[assignment]
            scope_values[CSRF_SCOPE_KEY] = bound
            if connection.cookies.get(config.cookie_name) != bound:
                if scope_values["method"] not in SAFE_METHODS:
                    raise PermissionDeniedException("CSRF token verification failed")
                # Signed in before tokens were bound, or the cookie was lost: hand out the
                # session's own (the page rendered now carries it too).
                header = csrf_cookie(config, bound).to_encoded_header()
                send = _with_cookie(send, config.cookie_name, header, replace=True)
        request_organisation = organisation.set_for_request(org)
        if org is not None:
            i18n.saw_board_language(org.language)
        language = i18n.set_language(
            reading_language(connection, scope["user"], org), org.digest.time_zone if org else None
        )
        try:
            await next_app(scope, receive, send)
        finally:
            i18n.reset_language(language)
            organisation.end_of_request(request_organisation)


def reading_language(
    connection: ASGIConnection[Any, Any, Any, Any],
    user: CurrentUser | None,
    org: OrganisationRow | None,
) -> str | None:
    """The page's language: the person's choice, else the organisation's; for a visitor,
    their browser's (Accept-Language) where the board speaks it, else the organisation's."""
    if user is not None and user.language:
        return user.language
    if user is None:
        browser = i18n.from_accept_language(connection.headers.get("accept-language", ""))
        if browser:
            return browser
    return org.language if org else None


def _with_cookie(
    send: Send, name: str, header: tuple[bytes, bytes], *, replace: bool = False
) -> Send:
    """Add a cookie to the response: the session cookie, extended along with the renewed
    session, unless the response itself sets or clears it (sign-in, sign-out); with
    `replace`, instead of any value the response sets (the CSRF middleware's new one)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            prefix = name.encode() + b"="

            def sets_it(key: bytes, value: bytes) -> bool:
                return key.lower() == b"set-cookie" and value.startswith(prefix)

            if replace:
                headers = [(k, v) for k, v in headers if not sets_it(k, v)]
            if not any(sets_it(k, v) for k, v in headers):
                message["headers"] = [*headers, header]
        await send(message)

    return sending


# Guards --------------------------------------------------------------------
# Async, though they never wait: Litestar runs a sync guard in a worker thread, a thread
# hop on every request.


async def requires_user(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if current_user(connection) is None:
        raise NotAuthorizedException()


class PasswordsOff(Exception):
    """A password page (sign-in form, sign-up, reset) on a board that signs people in
    with the company account only; answered with a page saying so (error_pages)."""


async def requires_password_sign_in(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    settings: Settings = connection.app.state.settings
    if not settings.password_signin:
        raise PasswordsOff()


async def requires_admin(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    if not user.is_admin:
        raise PermissionDeniedException(gettext("Only admins can open this page."))


async def requires_moderator(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    user = current_user(connection)
    if user is None:
        raise NotAuthorizedException()
    if not user.is_moderator:
        raise PermissionDeniedException(gettext("Only moderators and admins can open this page."))


def too_many(response: Response[str], error: RateLimited) -> Response[str]:
    """A 429 that says when to come back."""
    response.status_code = 429
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def client_ip(request: Request[Any, Any, Any]) -> str:
    """The visitor's address as the server sees it (behind a proxy, run uvicorn with
    --proxy-headers and --forwarded-allow-ips so this is the client, not the proxy)."""
    return request.client.host if request.client else "unknown"
