"""What an operator sees of a running process: one log line per request, as text or
JSON, and Prometheus metrics at /metrics when IDEABOARD_METRICS is on.

Each request gets an id (the proxy's `X-Request-ID` when it sends a sane one, else a
new one), returned in the response's `X-Request-ID` header and written in its log
line, so a user's complaint, the proxy's log and the app's log meet on one value.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)

from ideaboard import db
from ideaboard.db_sqlite import InlineSQLiteEngine
from ideaboard.mail.outbox import count_outbox
from ideaboard.settings import Settings

access_log = logging.getLogger("ideaboard.access")

REQUEST_ID_HEADER = b"x-request-id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Standard fields of a LogRecord; anything else on a record came in through `extra`.
_RECORD_FIELDS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items() if k not in _RECORD_FIELDS)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def logging_config(settings: Settings) -> dict[str, Any]:
    """The `logging.config.dictConfig` for `ideaboard serve` (handed to uvicorn)."""
    formatter = (
        {"()": JsonFormatter}
        if settings.log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    level = "INFO" if settings.debug else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "ideaboard": {"level": "INFO"},
            "uvicorn": {"level": "INFO"},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }


class Metrics:
    """This process's counters; exposed at /metrics (scrape each process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ideaboard_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ideaboard_http_request_duration_seconds",
            "Time from the request's arrival to its last byte.",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.outbox = Gauge(
            "ideaboard_outbox_emails",
            "Emails in the outbox: waiting to be sent, or failed for good.",
            ["state"],
            registry=self.registry,
        )
        self.pool = Gauge(
            "ideaboard_db_pool_connections",
            "This process's database connections: open, and of those in use.",
            ["state"],
            registry=self.registry,
        )
        self.sqlite_reads = Gauge(
            "ideaboard_sqlite_reads",
            "SQLite reads since the process started: run on the event loop (inline), on"
            " a worker thread (thread), or cut short inline for taking too long"
            " (interrupted, then run on a thread).",
            ["where"],
            registry=self.registry,
        )
        ProcessCollector(registry=self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)

    async def exposition(self) -> bytes:
        """The text format, with the gauges read now (the outbox from the database)."""
        counts = await count_outbox()
        self.outbox.labels("waiting").set(counts.waiting)
        self.outbox.labels("failed").set(counts.failed)
        open_, in_use = pool_usage()
        self.pool.labels("open").set(open_)
        self.pool.labels("in_use").set(in_use)
        engine = db.current_engine()
        if isinstance(engine, InlineSQLiteEngine):
            for where in ("inline", "thread", "interrupted"):
                self.sqlite_reads.labels(where).set(engine.reads[where])
        return generate_latest(self.registry)


def pool_usage() -> tuple[int, int]:
    """(open, in use) connections of this process's pool."""
    engine = db.current_engine()
    if isinstance(engine, InlineSQLiteEngine):
        return engine.pool_usage()
    pool = getattr(engine, "pool", None)
    if pool is None:
        return 0, 0
    return pool.get_size(), pool.get_size() - pool.get_idle_size()


async def metrics_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    metrics: Metrics = request.app.state.metrics
    return Response(await metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


class RequestObserver(ASGIMiddleware):
    """Times each request, gives it an id, logs one line and counts it."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        state = scope["app"].state
        settings: Settings = state.settings
        metrics: Metrics | None = state.get("metrics")
        started = time.perf_counter()
        method: str = scope["method"]  # type: ignore[typeddict-item]  # HTTP only (scopes)
        request_id = _request_id(scope)
        status = 500  # if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (REQUEST_ID_HEADER, request_id.encode()),
                ]
            await send(message)

        try:
            await next_app(scope, receive, sending)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            if metrics is not None and not route.startswith("/static"):
                metrics.observe(method, route, status, seconds)
            if settings.access_log and access_log.isEnabledFor(logging.INFO):
                _log_request(scope, method, request_id, route, status, seconds)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            given = value.decode("latin-1")
            if SANE_REQUEST_ID.fullmatch(given):
                return given
            break
    return uuid.uuid4().hex


def _log_request(
    scope: Scope, method: str, request_id: str, route: str, status: int, seconds: float
) -> None:
    user = scope.get("user")
    client = scope.get("client")
    fields = {
        "request_id": request_id,
        "method": method,
        "path": scope["path"],
        "route": route,
        "status": status,
        "duration_ms": round(seconds * 1000, 2),
        "user_id": user.id if user is not None else None,
        "client": client[0] if client else None,
    }
    access_log.info(
        "%s %s %s %.1fms user=%s id=%s",
        method, scope["path"], status, seconds * 1000,
        fields["user_id"] or "-", request_id, extra=fields,
    )  # fmt: skip
