"""Fider's two exports: `posts.csv` (Admin → Export posts) and the backup zip (Admin →
Export backup: a JSON array per database table).

posts.csv names people but gives no addresses, and counts votes without saying whose:
its authors become placeholders by name, and its votes cannot come along (said as a
warning). The backup has everyone's address and every vote and comment."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

from ideaboard.domain import Status
from ideaboard.i18n import gettext
from ideaboard.i18n import number as number_text
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

SOURCE = "fider"
# Fider's post status numbers (app/models/enum/post_status.go).
STATUS_NUMBERS = {
    0: "open", 1: "started", 2: "completed", 3: "declined", 4: "planned", 5: "duplicate",
    6: "deleted",
}  # fmt: skip


def read_fider(data: bytes, *, statuses: dict[str, Status], default_department: str) -> Batch:
    """posts.csv or the backup zip, told apart by their first bytes."""
    if data[:4] == b"PK\x03\x04":
        return read_backup(data, statuses=statuses, default_department=default_department)
    return read_posts_csv(data, statuses=statuses, default_department=default_department)


def read_posts_csv(data: bytes, *, statuses: dict[str, Status], default_department: str) -> Batch:
    batch = Batch(SOURCE)
    try:
        _, rows = read_rows(data, required=("number", "title"))
    except FileProblem as failed:
        batch.problems.append(failed.problem)
        return batch
    uncounted = 0
    for row in rows:
        number = row.get("number")
        if not number.isdigit():
            batch.problems.append(
                Problem(
                    row.line, gettext("the number %(number)s is not a number", number=repr(number))
                )
            )
            continue
        created = _when(row.get("created at"), row.line, batch)
        author = PersonIn.of("", row.get("created by") or "Fider user", SOURCE)
        assert author is not None
        raw_status = row.get("status")
        idea = IdeaIn(
            key=f"post:{number}",
            line=row.line,
            title=row.get("title"),
            body=row.get("description"),
            author=author,
            department=_first_tag(row.get("tags")) or default_department,
            created_at=created,
            hidden=raw_status.lower() == "deleted",
            duplicate_of=f"post:{row.get('original number')}" if row.get("original number") else "",
        )
        status = _status(raw_status, row.line, batch, statuses)
        response = row.get("response")
        if status is not Status.NEW or response:
            responder = PersonIn.of("", row.get("responded by"), SOURCE)
            idea.updates.append(
                UpdateIn(key=f"post:{number}:response", author=responder, status=status,
                         message=response, created_at=_when(row.get("responded at"), row.line,
                                                            batch, created))
            )  # fmt: skip
        idea.status = status
        count = row.get("votes count")
        uncounted += int(count) if count.isdigit() else 0
        batch.ideas.append(idea)
    if uncounted:
        batch.warnings.append(
            Problem(0, gettext("posts.csv counts %(votes)s votes but not who cast them: they are"
                               " not imported. Fider's backup zip brings every vote.",
                               votes=number_text(uncounted)))
        )  # fmt: skip
    return batch


def read_backup(data: bytes, *, statuses: dict[str, Status], default_department: str) -> Batch:
    batch = Batch(SOURCE)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            tables = {
                name: _table(archive, name, batch)
                for name in ("posts", "users", "post_votes", "comments", "tags", "post_tags")
            }
    except zipfile.BadZipFile:
        batch.problems.append(Problem(0, gettext("the file is not a zip archive")))
        return batch
    if batch.problems:
        return batch
    people = {
        user["id"]: PersonIn.of(str(user.get("email") or ""), str(user.get("name") or ""), SOURCE)
        for user in tables["users"]
    }
    tag_names = {tag["id"]: str(tag.get("name") or "") for tag in tables["tags"]}
    first_tag: dict[int, str] = {}
    for link in sorted(tables["post_tags"], key=lambda link: str(link.get("created_at"))):
        first_tag.setdefault(link["post_id"], tag_names.get(link["tag_id"], ""))
    numbers = {post["id"]: post.get("number") for post in tables["posts"]}
    ideas: dict[int, IdeaIn] = {}
    for position, post in enumerate(tables["posts"], start=1):
        author = people.get(post.get("user_id"))
        if author is None:
            batch.problems.append(
                Problem(
                    position, gettext("post %(number)s has no author", number=post.get("number"))
                )
            )
            continue
        created = _when(str(post.get("created_at") or ""), position, batch)
        raw_status = STATUS_NUMBERS.get(post.get("status") or 0, str(post.get("status")))
        status = _status(raw_status, position, batch, statuses)
        original = numbers.get(post.get("original_id"))
        idea = IdeaIn(
            key=f"post:{post.get('number')}", line=position, title=str(post.get("title") or ""),
            body=str(post.get("description") or ""), author=author,
            department=first_tag.get(post["id"]) or default_department, created_at=created,
            status=status, hidden=raw_status == "deleted",
            duplicate_of=f"post:{original}" if original else "",
        )  # fmt: skip
        if status is not Status.NEW or post.get("response"):
            idea.updates.append(
                UpdateIn(key=f"post:{post.get('number')}:response",
                         author=people.get(post.get("response_user_id")), status=status,
                         message=str(post.get("response") or ""),
                         created_at=_when(str(post.get("response_date") or ""), position, batch,
                                          created))
            )  # fmt: skip
        ideas[post["id"]] = idea
        batch.ideas.append(idea)
    for vote in tables["post_votes"]:
        voter = people.get(vote.get("user_id"))
        if vote.get("post_id") in ideas and voter is not None:
            ideas[vote["post_id"]].votes.append(
                VoteIn(voter, _when(str(vote.get("created_at") or ""), 0, batch))
            )
    for comment in tables["comments"]:
        author = people.get(comment.get("user_id"))
        if comment.get("post_id") not in ideas or author is None or comment.get("deleted_at"):
            continue
        ideas[comment["post_id"]].comments.append(
            CommentIn(key=f"comment:{comment['id']}", author=author,
                      body=str(comment.get("content") or ""),
                      created_at=_when(str(comment.get("created_at") or ""), 0, batch))
        )  # fmt: skip
    return batch


def _table(archive: zipfile.ZipFile, name: str, batch: Batch) -> list[dict[str, Any]]:
    file_name = name + ".json"
    try:
        rows = json.loads(archive.read(file_name))
    except KeyError:
        batch.problems.append(
            Problem(0, gettext("the backup has no %(file)s: is it Fider's?", file=file_name))
        )
        return []
    except ValueError as error:
        batch.problems.append(
            Problem(0, gettext("%(file)s is not JSON: %(error)s", file=file_name, error=str(error)))
        )
        return []
    return [row for row in rows if isinstance(row, dict)] if isinstance(rows, list) else []


def _first_tag(tags: str) -> str:
    return tags.split(",")[0].strip()


def _status(raw: str, line: int, batch: Batch, statuses: dict[str, Status]) -> Status:
    if raw.strip().lower() == "deleted":
        return Status.DECLINED  # and hidden: Fider shows it to nobody
    return status_of(raw, line, batch.warnings, statuses)


def _when(raw: str, line: int, batch: Batch, default: datetime | None = None) -> datetime:
    value = moment(raw)
    if value is not None:
        return value
    if default is not None and not raw.strip():
        return default
    batch.problems.append(
        Problem(line, gettext("%(value)s is not a date and time", value=repr(raw)))
    )
    return datetime(1970, 1, 1, tzinfo=UTC)
