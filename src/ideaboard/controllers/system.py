"""Operational endpoints."""

from __future__ import annotations

from typing import Any

from litestar import Response

from ideaboard import db


async def healthz() -> Response[dict[str, Any]]:
    """200 when the database answers, 503 when it does not (for load balancers)."""
    if await db.ping():
        return Response({"status": "ok", "database": "ok"})
    return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
