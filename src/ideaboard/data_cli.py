"""`ideaboard import` and `ideaboard export`: other boards' exports in, the whole board
out (docs/importing.md)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from ideaboard import db
from ideaboard.domain import Status
from ideaboard.files import private_file
from ideaboard.imports.fider import read_fider
from ideaboard.imports.model import Batch
from ideaboard.imports.own import read_export, read_template
from ideaboard.imports.uservoice import read_uservoice
from ideaboard.services import exporting, organisation
from ideaboard.services.importing import ImportReport, Progress, run_import
from ideaboard.settings import Settings

SOURCES = ("fider", "uservoice", "csv", "ideaboard")


def read_batch(
    source: str, data: bytes, *, statuses: dict[str, Status], default_department: str
) -> Batch:
    if source == "ideaboard":
        return read_export(data)
    reader = {"fider": read_fider, "uservoice": read_uservoice, "csv": read_template}[source]
    return reader(data, statuses=statuses, default_department=default_department)


def parse_pairs(lines: list[str], what: str) -> tuple[dict[str, str], list[str]]:
    """`their name = ours` lines (or `their name,ours`); the lines that are neither."""
    pairs: dict[str, str] = {}
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        theirs, sign, ours = line.partition("=") if "=" in line else line.partition(",")
        if not sign or not theirs.strip() or not ours.strip():
            bad.append(f"{what} line {number}: write it as `their name = ours`")
            continue
        pairs[theirs.strip().lower()] = ours.strip()
    return pairs, bad


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
    department_map, bad = parse_pairs(
        departments.read_text(encoding="utf-8-sig").splitlines() if departments else [],
        "departments file",
    )
    status_words, bad_status = parse_pairs(statuses, "--status")
    status_map: dict[str, Status] = {}
    for theirs, ours in status_words.items():
        if ours not in Status.__members__.values():
            bad_status.append(f"--status {theirs}: {ours!r} is none of {', '.join(Status)}")
        else:
            status_map[theirs] = Status(ours)
    if bad or bad_status:
        print("\n".join(bad + bad_status), file=sys.stderr)
        return 2
    batch = read_batch(
        source, path.read_bytes(), statuses=status_map, default_department=default_department
    )
    report = asyncio.run(_import(settings, batch, dry_run, department_map))
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
    export = asyncio.run(_export(settings))
    if export is None:
        print("The board is not set up yet: there is nothing to export.", file=sys.stderr)
        return 2
    private_file(path)  # people's names and addresses: readable by this user only
    exporting.write_zip(export, path, delimiter=delimiter)
    counts = exporting.counts(export)
    print(", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items()))
    print(path)
    return 0


async def _export(settings: Settings) -> exporting.BoardExport | None:
    async with db.connected(settings.database_url):
        if not await organisation.is_set_up():
            return None
        return await exporting.export_board(None)
