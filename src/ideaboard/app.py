"""The application factory: wiring only, nothing connects at import time."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from litestar import Litestar, Router, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import CacheControlHeader, State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.types import Message, Receive, Scope, Send

from ideaboard import db
from ideaboard.controllers.live import StreamsEndQuietly
from ideaboard.error_pages import EXCEPTION_HANDLERS
from ideaboard.jobs import background_loops
from ideaboard.live import Hub, use_hub
from ideaboard.mail.mailer import Mailer
from ideaboard.observe import Metrics, RequestObserver, metrics_endpoint
from ideaboard.oidc import OidcProvider
from ideaboard.passwords import Passwords
from ideaboard.routes import API, ROUTES, SCIM
from ideaboard.security import (
    CSRF_EXEMPT,
    BoardRequest,
    SecurityHeadersMiddleware,
    refuse_impossible_input,
    security_headers,
)
from ideaboard.settings import Settings, resolve_secret_key
from ideaboard.storage import open_store
from ideaboard.templating import bind_app, build_templates
from ideaboard.web import DEPENDENCIES, SessionMiddleware

# The stylesheet, icons and vendored scripts for an hour, as the proxies in deploy/ do.
STATIC_CACHE = CacheControlHeader(public=True, max_age=3600)

# Served only with IDEABOARD_METRICS on; keep it off the public proxy (deploy/).
METRICS_ROUTE = get("/metrics", name="system:metrics", include_in_schema=False)(metrics_endpoint)


class Ideaboard(Litestar):
    """Litestar with the request id, the access log line and the security headers around
    everything, error pages included. App middleware never sees a request that matches
    no route (404) or no method (405), nor the answer to an exception raised in a
    middleware, such as a failed CSRF check (403): Litestar documents that limit.
    Those answers went out without a Content-Security-Policy or a request id, and the
    log counted a refused form as a 500."""

    _observer = RequestObserver()
    _security_headers = SecurityHeadersMiddleware()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:  # type: ignore[override]
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if scope.get("method") == "HEAD":
            scope, send = as_get_without_body(scope, send)
        scope["app"] = self
        app = super().__call__

        async def secured(scope: Scope, receive: Receive, send: Send) -> None:
            await self._security_headers.handle(scope, receive, send, app)

        await self._observer.handle(scope, receive, send, secured)


def as_get_without_body(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """HEAD on every GET route (load balancers ask /healthz with it; link checkers ask
    pages): answered as the GET, with its status and headers, and no body."""

    async def headers_only(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {"type": "http.response.body", "body": b"",
                       "more_body": message.get("more_body", False)}  # fmt: skip
        await send(message)

    as_get = cast("Scope", {**scope, "method": "GET"})
    return as_get, headers_only


def board_state(settings: Settings) -> dict[str, Any]:
    """What an app keeps for its board: the settings and all made from them (the
    database engine, templates, mail, file store, live hub, the company sign-in, the
    headers every answer carries). The lifespan and every handler read them here."""
    engine = db.engine_for(settings.database_url)
    db.bind_tables(engine)
    state: dict[str, Any] = {
        "settings": settings,
        "live": Hub(),
        "engine": engine,
        "templates": build_templates(settings),
        "mailer": Mailer.from_settings(settings),
        "store": open_store(settings.storage_url, settings.data_dir),
        "passwords": Passwords(
            memory_kib=settings.password_memory_kib, time_cost=settings.password_time_cost
        ),
        # The company sign-in (None without an issuer), and the headers every answer
        # carries: the sign-out form may go on to the provider's end-session page.
        "oidc": OidcProvider(settings.oidc, settings.effective_base_url + "/auth/oidc/callback")
        if settings.oidc.enabled
        else None,
        "security_headers": security_headers(settings),
    }
    if settings.metrics:
        state["metrics"] = Metrics()
    return state


@asynccontextmanager
async def database(app: Litestar) -> AsyncIterator[None]:
    await db.prepare(app.state.engine, pool_size=app.state.settings.db_pool_size)
    # What starting made (modules, routes, templates) lives as long as the process:
    # out of the garbage collector's sight, so its full passes do not walk it.
    gc.freeze()
    try:
        yield
    finally:
        await db.close(app.state.engine)


@asynccontextmanager
async def background_jobs(app: Litestar) -> AsyncIterator[None]:
    loops = background_loops(app.state.settings, app.state.mailer)
    tasks = [asyncio.create_task(job) for job in loops]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


@asynccontextmanager
async def live_updates(app: Litestar) -> AsyncIterator[None]:
    """This process's hub: across processes through PostgreSQL's LISTEN/NOTIFY."""
    hub: Hub = app.state.live
    settings: Settings = app.state.settings
    use_hub(hub)
    hub.stop_on_signals()
    listening = (
        None if settings.is_sqlite else asyncio.create_task(hub.run_postgres(settings.database_url))
    )
    try:
        yield
    finally:
        use_hub(None)
        if listening is not None:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)


def use_board(app: Litestar, settings: Settings) -> Litestar:
    """Point an app at another board (`board_state`): what the test suite does instead
    of making an app per test, as registering the routes is most of making one. Only
    for settings that differ from the app's in `app_shape` alone."""
    app.state.update(board_state(settings))
    return bind_app(app.state.templates, app)


def app_shape(settings: Settings) -> Settings:
    """The settings an app's routes, CSRF and static files are made from: all but where
    its database, mail and files go, and where its data directory is unless the CSRF
    secret lives there."""
    data_dir = settings.data_dir if not settings.secret_key else Path()
    return replace(settings, database_url="", data_dir=data_dir, smtp_url="", storage_url="")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    state = board_state(settings)
    secure = settings.secure_cookies
    app = Ideaboard(
        route_handlers=[
            # The pages are not the API: only /api/v1 is in the OpenAPI document.
            Router(path="/", route_handlers=ROUTES, include_in_schema=False),
            SCIM,
            API,
            *([METRICS_ROUTE] if settings.metrics else []),
            create_static_files_router(
                path="/static",
                directories=[settings.static_dir],
                name="static",
                cache_control=STATIC_CACHE,
                send_as_attachment=False,
            ),
        ],
        state=State(state),
        lifespan=[database, live_updates, background_jobs],
        middleware=[StreamsEndQuietly(), SessionMiddleware()],
        dependencies=DEPENDENCIES,
        csrf_config=CSRFConfig(
            secret=resolve_secret_key(settings),
            cookie_name="__Host-csrftoken" if secure else "csrftoken",
            cookie_secure=secure,
            cookie_samesite="lax",
            cookie_httponly=False,
            header_name="x-csrftoken",
            # One-click unsubscribe (RFC 8058) is a POST from a mail client: the signed
            # link is its proof, as no form token can be.
            exclude=[f"^{path}" for path in CSRF_EXEMPT],
        ),
        plugins=[HTMXPlugin()],
        # The OpenAPI document as JSON at /api/v1/openapi.json, and no schema pages (they
        # load scripts from elsewhere, which the CSP forbids anyway).
        openapi_config=OpenAPIConfig(
            title="ideaboard API",
            version="1",
            description="Ideas, votes, comments and status updates, as on the board.",
            # Litestar's OpenAPI router answers every unknown path below its own with an
            # HTML 404: rooted at the document itself, /api/v1 stays the API's to answer.
            path="/api/v1/openapi.json",
            render_plugins=[JsonRenderPlugin(path="/")],
            components=Components(
                security_schemes={
                    "bearer": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="A personal access token from /account → API tokens.",
                    )
                }
            ),
        ),
        request_class=BoardRequest,
        before_request=refuse_impossible_input,
        exception_handlers=EXCEPTION_HANDLERS,
        # `ideaboard serve` configures logging (text or JSON, ideaboard.observe); Litestar
        # would otherwise put its own format on the root logger.
        logging_config=None,
        debug=settings.debug,
    )
    return bind_app(state["templates"], app)
