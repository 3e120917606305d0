"""UserVoice's suggestion exports (Admin → Settings → Data export), as CSV: the
suggestions export, one row per suggestion (id, title, body, forum name, status, labels,
parent id, created time, and the creator where the export has them), and the full export,
one row per voter (the same columns and the voter's email and name). Times are UTC.

UserVoice's forums (or, without one, its first label) are our departments; a merged
suggestion names the one it was merged into in its parent id."""

from __future__ import annotations

from datetime import UTC, datetime

from ideaboard.domain import Status
from ideaboard.i18n import gettext
from ideaboard.imports.model import Batch, IdeaIn, PersonIn, Problem, VoteIn, moment, status_of
from ideaboard.imports.tabular import FileProblem, Row, read_rows

SOURCE = "uservoice"


def read_uservoice(data: bytes, *, statuses: dict[str, Status], default_department: str) -> Batch:
    batch = Batch(SOURCE)
    try:
        _, rows = read_rows(data, required=("id", "title"))
    except FileProblem as failed:
        batch.problems.append(failed.problem)
        return batch
    ideas: dict[str, IdeaIn] = {}
    for row in rows:
        number = row.get("id", "suggestion id")
        if not number:
            batch.problems.append(Problem(row.line, gettext("the id is empty")))
            continue
        idea = ideas.get(number)
        if idea is None:
            idea = _idea(row, number, batch, statuses, default_department)
            ideas[number] = idea
            batch.ideas.append(idea)
        elif row.get("title") != idea.title:
            batch.problems.append(
                Problem(
                    row.line,
                    gettext(
                        "the id %(id)s is also line %(line)s's, with another title",
                        id=number,
                        line=idea.line,
                    ),
                )
            )
        voter = PersonIn.of(row.get("voter email"), row.get("voter name"), SOURCE)
        if voter is not None and voter.email not in {vote.voter.email for vote in idea.votes}:
            when = moment(row.get("vote created time", "voted at")) or idea.created_at
            idea.votes.append(VoteIn(voter, when))
    return batch


def _idea(
    row: Row, number: str, batch: Batch, statuses: dict[str, Status], default_department: str
) -> IdeaIn:
    created = moment(row.get("created time", "created at", "created"))
    if created is None:
        batch.problems.append(
            Problem(
                row.line,
                gettext(
                    "%(value)s is not a date and time",
                    value=repr(row.get("created time", "created at")),
                ),
            )
        )
        created = datetime(1970, 1, 1, tzinfo=UTC)
    author = PersonIn.of(
        row.get("creator email", "user email", "author email"),
        row.get("creator name", "user name", "author name") or "UserVoice user",
        SOURCE,
    )
    assert author is not None
    labels = row.get("labels")
    department = row.get("forum name", "forum") or labels.split(",")[0].strip()
    parent = row.get("parent id")
    return IdeaIn(
        key=f"suggestion:{number}",
        line=row.line,
        title=row.get("title"),
        body=row.get("body", "text", "description"),
        author=author,
        department=department or default_department,
        created_at=created,
        status=status_of(row.get("status"), row.line, batch.warnings, statuses),
        duplicate_of=f"suggestion:{parent}" if parent and parent != number else "",
    )
