"""/admin/data: the whole board out as a zip, and other tools' exports in (small files;
`ideaboard import` takes any size)."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.response import File

from ideaboard.files import make_directories, private_file
from ideaboard.i18n import gettext
from ideaboard.imports.choices import DEFAULT_DEPARTMENT, SOURCES, parse_choices
from ideaboard.security import BoardRequest
from ideaboard.services import attachments, exporting, file_keeping, personal_data
from ideaboard.services.clock import now
from ideaboard.services.importing import ImportReport, run_import
from ideaboard.web import SignedIn, render

UPLOAD_MAX = 8 * 1024 * 1024  # under the server's request limit, with room for the form


@dataclass(frozen=True)
class ImportForm:
    source: str = "fider"
    departments: str = ""
    statuses: str = ""
    default_department: str = DEFAULT_DEPARTMENT
    check_only: bool = True


async def page(
    request: BoardRequest,
    *,
    form: ImportForm | None = None,
    errors: dict[str, str] | None = None,
    report: ImportReport | None = None,
    status_code: int = 200,
) -> Response[str]:
    return render(
        request,
        "admin/data.html",
        status_code=status_code,
        section="data",
        form=form or ImportForm(),
        sources=SOURCES,
        errors=errors or {},
        report=report,
        upload_max=UPLOAD_MAX,
        files=await file_keeping.usage(),
        file_limits=attachments.Limits.from_settings(request.app.state.settings),
        store=request.app.state.store.description,
    )


async def index(request: BoardRequest) -> Response[str]:
    return await page(request)


async def export(request: BoardRequest, user: SignedIn) -> File:
    delimiter = ";" if request.query_params.get("delimiter") == ";" else ","
    board = await exporting.export_board(user.actor)
    target = personal_data.exports_dir(request.app.state.settings.data_dir) / (
        f"board-{secrets.token_hex(12)}.zip"
    )
    await asyncio.to_thread(_prepare, target)
    await exporting.write_export(board, target, request.app.state.store, delimiter=delimiter)
    return File(
        path=target,
        filename=f"ideaboard-{now().date().isoformat()}.zip",
        media_type="application/zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(target.unlink, missing_ok=True),
    )


def _prepare(target: Path) -> None:
    make_directories(target.parent)
    private_file(target)


async def import_file(request: BoardRequest, user: SignedIn) -> Response[Any]:
    fields, data = await request.form_with_file()
    form = ImportForm(
        source=str(fields.get("source", "")),
        departments=str(fields.get("departments", "")),
        statuses=str(fields.get("statuses", "")),
        default_department=str(fields.get("default_department", "")),
        check_only=fields.get("check_only") == "1",
    )
    choices, errors = parse_choices(
        form.source, departments=form.departments.splitlines(),
        statuses=form.statuses.splitlines(), default_department=form.default_department,
    )  # fmt: skip
    if not data:
        errors["file"] = gettext("Choose the file to import.")
    elif len(data) > UPLOAD_MAX:
        errors["file"] = gettext(
            "This file is over %(size)s MB: import it with `ideaboard import` on the server.",
            size=UPLOAD_MAX // (1024 * 1024),
        )
    if errors or data is None:
        return await page(request, form=form, errors=errors, status_code=422)
    batch = await asyncio.to_thread(choices.read, data)
    report = await run_import(
        batch, actor=user.actor, dry_run=form.check_only, department_map=choices.departments
    )
    return await page(
        request, form=form, report=report, status_code=422 if report.problems else 200
    )
