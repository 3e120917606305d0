"""`ideaboard import` and `ideaboard export`: other boards' exports in, the whole board
out (docs/importing.md)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ideaboard import db
from ideaboard.files import private_file
from ideaboard.imports.choices import parse_choices
from ideaboard.imports.model import Batch
from ideaboard.services import exporting, organisation
from ideaboard.services.importing import ImportReport, Progress, run_import
from ideaboard.settings import Settings
from ideaboard.storage import open_store


def report_lines(report: ImportReport) -> list[str]:
    if report.problems:
        return [
            f"Nothing was imported: {len(report.problems)} problem"
            f"{'s' if len(report.problems) > 1 else ''} to fix in the file first.",
            *(f"  {problem}" for problem in report.problems[:200]),
        ]
    verb = "Would import" if report.dry_run else "Imported"
    lines = [
        f"{verb} {report.ideas:,} ideas, {report.votes:,} votes, {report.comments:,} comments,"
        f" {report.updates:,} status updates and {report.merges:,} merges.",
        f"People: {report.people_known:,} already on the board, {report.people_new:,} new"
        " (deactivated until they sign up or sign in with the company account).",
    ]
    if report.departments_new:
        lines.append(f"New departments: {', '.join(report.departments_new)}.")
    if report.already_imported:
        lines.append(f"Skipped {report.already_imported:,} ideas imported before.")
    lines += [f"  warning: {warning}" for warning in report.warnings[:200]]
    if report.dry_run:
        lines.append("Dry run: nothing was written. Run again without --dry-run to import.")
    return lines


def import_file(
    settings: Settings, source: str, path: Path, *, dry_run: bool, departments: Path | None,
    statuses: list[str], default_department: str,
) -> int:  # fmt: skip
    for named in (path, departments):
        if named is not None and not named.is_file():
            print(f"There is no file at {named}.", file=sys.stderr)
            return 2
    choices, errors = parse_choices(
        source,
        departments=departments.read_text(encoding="utf-8-sig").splitlines() if departments else [],
        statuses=statuses,
        default_department=default_department,
    )
    if errors:
        print(
            "\n".join(f"{field}: {message}" for field, message in errors.items()), file=sys.stderr
        )
        return 2
    report = asyncio.run(_import(settings, choices.read(path.read_bytes()), dry_run,
                                 choices.departments))  # fmt: skip
    if report is None:
        print("The board is not set up yet: open /setup in a browser first.", file=sys.stderr)
        return 2
    for line in report_lines(report):
        print(line, file=sys.stderr if report.problems else sys.stdout)
    return 1 if report.problems else 0


async def _import(
    settings: Settings, batch: Batch, dry_run: bool, department_map: dict[str, str]
) -> ImportReport | None:
    async with db.connected(settings.database_url):
        if not await organisation.is_set_up():
            return None
        return await run_import(
            batch, dry_run=dry_run, department_map=department_map, progress=_progress_bar()
        )


def _progress_bar() -> Progress | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        filled = 30 * done // max(total, 1)
        end = "\n" if done == total else ""
        print(f"\r[{'#' * filled}{' ' * (30 - filled)}] {done:,} of {total:,} ideas", end=end,
              file=sys.stderr, flush=True)  # fmt: skip

    return show


def export_file(settings: Settings, path: Path, *, delimiter: str) -> int:
    if path.exists():
        print(f"{path} already exists: choose another file name.", file=sys.stderr)
        return 2
    private_file(path)  # people's names and addresses: readable by this user only
    export = asyncio.run(_export(settings, path, delimiter))
    if export is None:
        path.unlink()
        print("The board is not set up yet: there is nothing to export.", file=sys.stderr)
        return 2
    counts = exporting.counts(export)
    print(", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items()))
    print(path)
    return 0


async def _export(settings: Settings, path: Path, delimiter: str) -> exporting.BoardExport | None:
    async with db.connected(settings.database_url):
        if not await organisation.is_set_up():
            return None
        export = await exporting.export_board(None)
    store = open_store(settings.storage_url, settings.data_dir)
    await exporting.write_export(export, path, store, delimiter=delimiter)
    return export
