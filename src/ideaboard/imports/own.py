"""Our own formats: the CSV template for ideas kept in a spreadsheet (docs/importing.md),
and the full export (`ideaboard export`: board.json, alone or in its zip)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from ideaboard.domain import Status
from ideaboard.i18n import gettext
from ideaboard.imports.model import (
    Batch,
    CommentIn,
    IdeaIn,
    PersonIn,
    Problem,
    UpdateIn,
    VoteIn,
    moment,
    status_of,
)
from ideaboard.imports.tabular import FileProblem, read_rows

TEMPLATE_COLUMNS = ("id", "title", "description", "department", "author email", "author name",
                    "created at", "status", "status message", "voters", "duplicate of")  # fmt: skip
EXPORT_FORMAT = "ideaboard-export"


def read_template(data: bytes, *, statuses: dict[str, Status], default_department: str) -> Batch:
    batch = Batch("csv")
    try:
        _, rows = read_rows(data, required=("title",))
    except FileProblem as failed:
        batch.problems.append(failed.problem)
        return batch
    for row in rows:
        created = moment(row.get("created at")) if row.get("created at") else _imported_at()
        if created is None:
            batch.problems.append(
                Problem(
                    row.line,
                    gettext("%(value)s is not a date and time", value=repr(row.get("created at"))),
                )
            )
            created = _imported_at()
        author = PersonIn.of(row.get("author email"), row.get("author name"), "csv")
        if author is None:
            batch.problems.append(
                Problem(row.line, gettext("it names no author: an email or a name"))
            )
            continue
        status = status_of(row.get("status"), row.line, batch.warnings, statuses)
        key = row.get("id") or f"line:{row.line}"
        duplicate = row.get("duplicate of")
        idea = IdeaIn(
            key=key, line=row.line, title=row.get("title"), body=row.get("description"),
            author=author, department=row.get("department") or default_department,
            created_at=created, status=status, duplicate_of=duplicate,
        )  # fmt: skip
        if status is not Status.NEW or row.get("status message"):
            idea.updates.append(
                UpdateIn(f"{key}:status", None, status, row.get("status message"), created)
            )
        for address in re.split(r"[\s;,]+", row.get("voters")):
            voter = PersonIn.of(address, "", "csv") if address else None
            if voter is not None and voter.email not in {v.voter.email for v in idea.votes}:
                idea.votes.append(VoteIn(voter, created))
        batch.ideas.append(idea)
    return batch


def read_export(data: bytes) -> Batch:
    """`ideaboard export`'s board.json, or its zip."""
    batch = Batch("ideaboard")
    try:
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                data = archive.read("board.json")
        document = json.loads(data)
    except (zipfile.BadZipFile, KeyError):
        batch.problems.append(
            Problem(0, gettext("the zip has no board.json: is it ideaboard's export?"))
        )
        return batch
    except ValueError as error:
        batch.problems.append(
            Problem(0, gettext("board.json is not JSON: %(error)s", error=str(error)))
        )
        return batch
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        batch.problems.append(
            Problem(0, gettext("this is not ideaboard's export (no format line)"))
        )
        return batch
    try:
        _read_document(document, batch)
    except (KeyError, TypeError, ValueError) as error:
        batch.problems.append(
            Problem(0, gettext("board.json is incomplete or damaged: %(error)s", error=repr(error)))
        )
    return batch


def _read_document(document: dict[str, Any], batch: Batch) -> None:
    departments = {row["id"]: row["name"] for row in document.get("departments", [])}
    batch.departments = list(departments.values())
    people = {
        row["id"]: PersonIn(row["email"], row["name"], departments.get(row["department"], ""))
        for row in document.get("people", [])
    }
    batch.people = list(people.values())
    ideas: dict[int, IdeaIn] = {}
    for position, row in enumerate(document.get("ideas", []), start=1):
        ideas[row["id"]] = IdeaIn(
            key=f"idea:{row['id']}", line=position, title=row["title"], body=row["body"],
            author=people[row["author"]], department=departments[row["department"]],
            created_at=_at(row["created_at"]), status=Status(row["status"]),
            anonymous=bool(row["anonymous"]), hidden=bool(row["hidden"]),
            approval=row["approval"], owner=people.get(row["owner"]),
        )  # fmt: skip
        batch.ideas.append(ideas[row["id"]])
    for row in document.get("votes", []):
        ideas[row["idea"]].votes.append(VoteIn(people[row["voter"]], _at(row["created_at"])))
    for row in document.get("comments", []):
        ideas[row["idea"]].comments.append(
            CommentIn(f"comment:{row['id']}", people[row["author"]], row["body"],
                      _at(row["created_at"]), hidden=bool(row["hidden"]))
        )  # fmt: skip
    for row in document.get("status_updates", []):
        ideas[row["idea"]].updates.append(
            UpdateIn(f"update:{row['id']}", people[row["author"]], Status(row["to_status"]),
                     row["message"], _at(row["created_at"]))
        )  # fmt: skip
    for row in document.get("merges", []):
        ideas[row["duplicate"]].duplicate_of = f"idea:{row['target']}"


def _at(raw: str) -> datetime:
    value = moment(raw)
    if value is None:
        raise ValueError(f"{raw!r} is not a date and time")
    return value


def _imported_at() -> datetime:
    return datetime.now(UTC)
