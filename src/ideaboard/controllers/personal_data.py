"""Download my data: asked for at /account, made in the background, fetched once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import File

from ideaboard.security import BoardRequest
from ideaboard.services import personal_data
from ideaboard.services.clock import now
from ideaboard.web import SignedIn, app_csrf_config, done


async def ask(request: BoardRequest, user: SignedIn) -> Response[Any]:
    await personal_data.ask(user.actor)
    data_dir: Path = request.app.state.settings.data_dir
    target = request.app.route_reverse("accounts:profile") + "#my-data"
    response = done(request, target, "data_asked")
    response.background = BackgroundTask(
        personal_data.make_waiting, data_dir, request.app.state.store
    )
    return response


async def fetch(
    request: BoardRequest, user: SignedIn, request_id: FromPath[int], signed: FromPath[str]
) -> File:
    data_dir: Path = request.app.state.settings.data_dir
    path = await personal_data.take(
        user.actor, request_id, signed, app_csrf_config(request).secret, data_dir
    )
    return File(
        path=path,
        filename=f"my-data-{now().date().isoformat()}.zip",
        media_type="application/zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(personal_data.remove_files, data_dir, [path.name]),
    )
