"""What every source is read into before anything is written: ideas with their people,
votes, comments, status updates and duplicates, and the problems found on the way, each
with the line (or record) it was found at. Pure: no database."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ideaboard.domain import Status
from ideaboard.i18n import gettext
from ideaboard.i18n import number as number_text
from ideaboard.services.validation import EMAIL_PATTERN

TITLE_MAX = 160
BODY_MAX = 20_000
NAME_MAX = 80
PLACEHOLDER_DOMAIN = "imported.invalid"

# Other tools' statuses, lower-cased, to ours (docs/importing.md has the table).
STATUSES: dict[str, Status] = {
    "open": Status.NEW,
    "new": Status.NEW,
    "active": Status.NEW,
    "under review": Status.UNDER_REVIEW,
    "gathering feedback": Status.UNDER_REVIEW,
    "reviewing": Status.UNDER_REVIEW,
    "planned": Status.PLANNED,
    "started": Status.IN_PROGRESS,
    "in progress": Status.IN_PROGRESS,
    "working on it": Status.IN_PROGRESS,
    "completed": Status.DONE,
    "complete": Status.DONE,
    "done": Status.DONE,
    "shipped": Status.DONE,
    "declined": Status.DECLINED,
    "closed": Status.DECLINED,
    "not planned": Status.DECLINED,
    "duplicate": Status.DUPLICATE,
}


@dataclass(frozen=True)
class Problem:
    line: int  # of the file (a JSON record's position for JSON sources); 0: the whole file
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return gettext("line %(line)s: %(problem)s", line=self.line, problem=self.message)


@dataclass(frozen=True)
class PersonIn:
    """Someone the source names. Without an email address, a placeholder address made
    from the name stands in: the same name is the same person on every run."""

    email: str
    name: str
    department: str = ""  # where they work, where the source says

    @classmethod
    def of(cls, email: str, name: str, source: str, department: str = "") -> PersonIn | None:
        email = email.strip().lower()
        name = " ".join(name.split())[:NAME_MAX]
        if not email and not name:
            return None
        if not email:
            digest = hashlib.sha256(f"{source}:{name.lower()}".encode()).hexdigest()[:10]
            email = f"{_slug(name)}-{digest}@{PLACEHOLDER_DOMAIN}"
        return cls(email=email, name=name or email.partition("@")[0], department=department)

    @property
    def valid(self) -> bool:
        return len(self.email) <= 254 and EMAIL_PATTERN.fullmatch(self.email) is not None


@dataclass(frozen=True)
class VoteIn:
    voter: PersonIn
    created_at: datetime


@dataclass(frozen=True)
class CommentIn:
    key: str
    author: PersonIn
    body: str
    created_at: datetime
    hidden: bool = False


@dataclass(frozen=True)
class UpdateIn:
    """An official answer: a status update from `author` (None: the importing admin)."""

    key: str
    author: PersonIn | None
    status: Status
    message: str
    created_at: datetime


@dataclass
class IdeaIn:
    key: str  # unique in its source: a re-run finds it again by it
    line: int
    title: str
    body: str
    author: PersonIn
    department: str  # the source's forum, label or tag; mapped to ours when applied
    created_at: datetime
    status: Status = Status.NEW
    votes: list[VoteIn] = field(default_factory=list)
    comments: list[CommentIn] = field(default_factory=list)
    updates: list[UpdateIn] = field(default_factory=list)
    duplicate_of: str = ""  # the key of the idea this one duplicates
    anonymous: bool = False
    hidden: bool = False
    approval: str = "approved"
    owner: PersonIn | None = None


@dataclass
class Batch:
    source: str  # "fider", "uservoice", "csv", "ideaboard": import keys are per source
    ideas: list[IdeaIn] = field(default_factory=list)
    people: list[PersonIn] = field(default_factory=list)  # besides authors and voters
    departments: list[str] = field(default_factory=list)  # besides the ideas'
    problems: list[Problem] = field(default_factory=list)  # any one stops the import
    warnings: list[Problem] = field(default_factory=list)  # said, and imported anyway

    def check(self) -> None:
        """The problems that stop an import, found before anything is written."""
        keys = {idea.key for idea in self.ideas}
        seen: set[str] = set()
        for idea in self.ideas:
            if idea.key in seen:
                self.problems.append(
                    Problem(idea.line, gettext("the id %(id)s is used twice", id=idea.key))
                )
            seen.add(idea.key)
            if not idea.title.strip():
                self.problems.append(Problem(idea.line, gettext("the title is empty")))
            elif len(idea.title) > TITLE_MAX:
                self.problems.append(
                    Problem(
                        idea.line,
                        gettext("the title is longer than %(max)s characters", max=TITLE_MAX),
                    )
                )
            if len(idea.body) > BODY_MAX:
                self.problems.append(
                    Problem(
                        idea.line,
                        gettext(
                            "the description is longer than %(max)s characters",
                            max=number_text(BODY_MAX),
                        ),
                    )
                )
            if idea.duplicate_of and idea.duplicate_of not in keys:
                self.problems.append(
                    Problem(
                        idea.line,
                        gettext(
                            "it duplicates %(id)s, which is not in the file", id=idea.duplicate_of
                        ),
                    )
                )
            people = [
                idea.author,
                *(v.voter for v in idea.votes),
                *(c.author for c in idea.comments),
            ]
            for person in people:
                if not person.valid:
                    self.problems.append(
                        Problem(
                            idea.line,
                            gettext("%(value)s is not an email address", value=repr(person.email)),
                        )
                    )
        self.problems.sort(key=lambda problem: problem.line)


def status_of(raw: str, line: int, warnings: list[Problem], known: dict[str, Status]) -> Status:
    """Ours for a source's status; an unknown one is New, and said."""
    word = " ".join(raw.replace("_", " ").lower().split())
    if not word:
        return Status.NEW
    status = known.get(word) or STATUSES.get(word)
    if status is None:
        warnings.append(
            Problem(
                line, gettext("the status %(status)s is unknown: imported as New", status=repr(raw))
            )
        )
        return Status.NEW
    return status


def moment(raw: str) -> datetime | None:
    """A time as exports write them (ISO 8601, with or without a zone, a space or a T);
    times without a zone are UTC."""
    text = raw.strip().replace(" UTC", "").replace("Z", "+00:00")
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        for pattern in ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%d-%m-%Y"):
            try:
                value = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40] or "someone"
