"""The weekly digest: what each person reads about the board once a week, queued once.

Exactly once per person per ISO week: each digest enters the outbox under the key
`digest:<week>:<user id>`, which the outbox keeps UNIQUE. Running a week again, in two
processes at once, or after a crash halfway queues only what is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import CLOSED_STATUSES, Status
from ideaboard.i18n import ENGLISH, Reading, gettext, in_language, reading
from ideaboard.mail.mailer import Mailer
from ideaboard.mail.message import Email
from ideaboard.mail.outbox import Queued, find_queued_keys, queue_emails
from ideaboard.mail.render import EmailTemplates
from ideaboard.markup import plain_text
from ideaboard.services.errors import NotFound
from ideaboard.services.insights_funnel import waiting_for_owner
from ideaboard.services.organisation import OrganisationRow, get_organisation
from ideaboard.services.unsubscribe import one_click_headers, unsubscribe_path
from ideaboard.services.visibility import public_sql
from ideaboard.tables import (
    Department,
    DepartmentManager,
    Idea,
    StatusChange,
    Subscription,
    User,
    Vote,
)
from ideaboard.weeks import digest_window

TOP_IDEAS = 5
NEW_IDEAS = 5
UNROUTED_IDEAS = 3
CHUNK = 500
CLOSED = tuple(sorted(status.value for status in CLOSED_STATUSES))


@dataclass(frozen=True)
class DigestIdea:
    id: int
    title: str
    status: Status
    vote_count: int
    department_name: str
    votes_this_week: int = 0


@dataclass(frozen=True)
class DigestUpdate:
    idea_id: int
    idea_title: str
    from_status: Status
    to_status: Status
    message: str
    author_name: str
    created_at: datetime


@dataclass(frozen=True)
class ManagedDepartment:
    id: int
    name: str
    needs_owner: int
    unrouted: tuple[DigestIdea, ...]
    # The week's three key numbers, as /insights counts them: ideas proposed for the
    # department, ideas that had their first official update, and open ideas past the
    # routing threshold that wait for an owner today.
    new_ideas: int = 0
    answered: int = 0
    waiting: int = 0


@dataclass(frozen=True)
class Reader:
    id: int
    name: str
    email: str
    department_id: int
    language: str = ""  # "" reads the board's


@dataclass(frozen=True)
class Digest:
    week: str
    organisation: str
    reader: Reader
    department_name: str
    top_ideas: tuple[DigestIdea, ...]
    new_for_department: tuple[DigestIdea, ...]
    updates: tuple[DigestUpdate, ...]
    managed: tuple[ManagedDepartment, ...]
    unsubscribe_path: str

    @property
    def subject(self) -> str:
        if self.top_ideas:
            return gettext(
                "This week at %(organisation)s: %(title)s",
                organisation=self.organisation, title=self.top_ideas[0].title,
            )  # fmt: skip
        return gettext(
            "Your week on the %(organisation)s idea board", organisation=self.organisation
        )


# --- What the week held: read once per run, shared by every reader -----------------

WEEK_TOP = """
SELECT i.id, i.title, i.status, i.vote_count, d.name AS department_name, w.votes
FROM (SELECT v.idea, COUNT(*) AS votes FROM vote v JOIN idea vi ON vi.id = v.idea
      WHERE v.created_at >= {} AND v.created_at < {}
        AND vi.approval = 'approved' AND NOT vi.hidden
      GROUP BY v.idea ORDER BY COUNT(*) DESC, v.idea DESC LIMIT {}) AS w
JOIN idea i ON i.id = w.idea
JOIN department d ON d.id = i.department
ORDER BY w.votes DESC, i.id DESC
"""

WEEK_NEW = """
SELECT i.id, i.title, i.status, i.vote_count, i.department, d.name AS department_name
FROM idea i JOIN department d ON d.id = i.department
WHERE i.created_at >= {} AND i.created_at < {}
  AND i.approval = 'approved' AND NOT i.hidden
ORDER BY i.vote_count DESC, i.id DESC
"""

WEEK_UPDATES = """
SELECT sc.idea, i.title, sc.from_status, sc.to_status, sc.message_html, a.name AS author_name,
       sc.created_at
FROM status_change sc
JOIN idea i ON i.id = sc.idea
JOIN account a ON a.id = sc.author
WHERE sc.created_at >= {} AND sc.created_at < {}
  AND i.approval = 'approved' AND NOT i.hidden
ORDER BY sc.created_at, sc.id
"""

UNROUTED = """
SELECT i.id, i.title, i.status, i.vote_count, i.department, d.name AS department_name
FROM idea i JOIN department d ON d.id = i.department
WHERE i.department = {} AND i.owner IS NULL AND i.status NOT IN ({}, {}, {})
  AND i.approval = 'approved' AND NOT i.hidden
ORDER BY i.vote_count DESC, i.id DESC LIMIT {}
"""

NEEDS_OWNER = """
SELECT COUNT(*) AS n FROM idea
WHERE department = {} AND owner IS NULL AND status NOT IN ({}, {}, {})
  AND approval = 'approved' AND NOT hidden
"""
KEY_NEW = f"""
SELECT COUNT(*) AS n FROM idea i
WHERE i.department = {{}} AND i.created_at >= {{}} AND i.created_at < {{}} AND {public_sql("i")}
"""  # noqa: S608 (only constants go in: the visibility rule)
# First answered this week: an update in the week, none before it (from the updates'
# time index, then each idea's timeline).
KEY_ANSWERED = f"""
SELECT COUNT(DISTINCT s.idea) AS n FROM status_change s JOIN idea i ON i.id = s.idea
WHERE s.created_at >= {{}} AND s.created_at < {{}} AND i.department = {{}} AND {public_sql("i")}
  AND NOT EXISTS (SELECT 1 FROM status_change e WHERE e.idea = s.idea AND e.created_at < {{}})
"""  # noqa: S608


def _idea(row: dict[str, Any], votes_this_week: int = 0) -> DigestIdea:
    return DigestIdea(
        id=row["id"],
        title=row["title"],
        status=Status(row["status"]),
        vote_count=row["vote_count"],
        department_name=row["department_name"],
        votes_this_week=votes_this_week,
    )


@dataclass
class Week:
    """Everything about one digest week that does not depend on the reader."""

    key: str
    start: datetime
    end: datetime
    top_ideas: tuple[DigestIdea, ...]
    new_by_department: dict[int, list[DigestIdea]]
    updates_by_idea: dict[int, list[DigestUpdate]]
    followers: dict[int, set[int]]  # reader id → ideas with updates they follow
    department_names: dict[int, str]
    managed: dict[int, list[int]]  # manager id → department ids
    _departments: dict[int, ManagedDepartment] = field(default_factory=dict)

    @property
    def had_activity(self) -> bool:
        return bool(self.top_ideas or self.new_by_department or self.updates_by_idea)

    async def managed_department(self, department_id: int) -> ManagedDepartment:
        if department_id not in self._departments:
            unrouted = await Idea.raw(UNROUTED, department_id, *CLOSED, UNROUTED_IDEAS)
            count = await Idea.raw(NEEDS_OWNER, department_id, *CLOSED)
            new = await Idea.raw(KEY_NEW, department_id, self.start, self.end)
            answered = await Idea.raw(KEY_ANSWERED, self.start, self.end, department_id, self.start)
            self._departments[department_id] = ManagedDepartment(
                id=department_id,
                name=self.department_names.get(department_id, ""),
                needs_owner=int(count[0]["n"]),
                unrouted=tuple(_idea(row) for row in unrouted),
                new_ideas=int(new[0]["n"]),
                answered=int(answered[0]["n"]),
                waiting=(await waiting_for_owner([department_id])).get(department_id, 0),
            )
        return self._departments[department_id]


async def read_week(week: str, organisation: OrganisationRow) -> Week:
    start, end = digest_window(week, organisation.digest)
    top = await Vote.raw(WEEK_TOP, start, end, TOP_IDEAS)
    new_by_department: dict[int, list[DigestIdea]] = defaultdict(list)
    for row in await Idea.raw(WEEK_NEW, start, end):
        ideas = new_by_department[row["department"]]
        if len(ideas) < NEW_IDEAS:
            ideas.append(_idea(row))
    updates_by_idea: dict[int, list[DigestUpdate]] = defaultdict(list)
    for row in await StatusChange.raw(WEEK_UPDATES, start, end):
        updates_by_idea[row["idea"]].append(
            DigestUpdate(
                idea_id=row["idea"],
                idea_title=row["title"],
                from_status=Status(row["from_status"]),
                to_status=Status(row["to_status"]),
                message=plain_text(row["message_html"]),  # Markdown reads badly in mail
                author_name=row["author_name"],
                created_at=row["created_at"],
            )
        )
    followers: dict[int, set[int]] = defaultdict(set)
    if updates_by_idea:
        rows = await Subscription.select(Subscription.account, Subscription.idea).where(
            Subscription.idea.is_in(list(updates_by_idea))
        )
        for row in rows:
            followers[row["account"]].add(row["idea"])
    managed: dict[int, list[int]] = defaultdict(list)
    for row in await DepartmentManager.select(
        DepartmentManager.manager, DepartmentManager.department
    ).order_by(DepartmentManager.department):
        managed[row["manager"]].append(row["department"])
    names = await Department.select(Department.id, Department.name)
    return Week(
        key=week,
        start=start,
        end=end,
        top_ideas=tuple(_idea(row, votes_this_week=row["votes"]) for row in top),
        new_by_department=dict(new_by_department),
        updates_by_idea=dict(updates_by_idea),
        followers=dict(followers),
        department_names={row["id"]: row["name"] for row in names},
        managed=dict(managed),
    )


async def compose(week: Week, organisation: OrganisationRow, reader: Reader, secret: str) -> Digest:
    updates = [
        update
        for idea_id in sorted(week.followers.get(reader.id, ()))
        for update in week.updates_by_idea[idea_id]
    ]
    return Digest(
        week=week.key,
        organisation=organisation.name,
        reader=reader,
        department_name=week.department_names.get(reader.department_id, ""),
        top_ideas=week.top_ideas,
        new_for_department=tuple(week.new_by_department.get(reader.department_id, ())),
        updates=tuple(sorted(updates, key=lambda update: update.created_at)),
        managed=tuple([await week.managed_department(d) for d in week.managed.get(reader.id, ())]),
        unsubscribe_path=unsubscribe_path(secret, reader.id),
    )


def render_digest(digest: Digest, templates: EmailTemplates, board: Reading = ENGLISH) -> Email:
    """The digest in its reader's language (else the board's), times in the board's zone."""
    with in_language(digest.reader.language or board.language, board.zone):
        text, html = templates.render("digest", digest=digest)
        subject = digest.subject
    unsubscribe = templates.url(digest.unsubscribe_path)
    return Email(
        to=digest.reader.email,
        subject=subject,
        text=text,
        html=html,
        headers={
            **one_click_headers(unsubscribe),
            "Auto-Submitted": "auto-generated",
            "Precedence": "bulk",
        },
    )


# --- Queueing a week's digests ---------------------------------------------------


@dataclass
class DigestRun:
    week: str
    readers: int = 0
    queued: int = 0
    already_queued: int = 0
    quiet_week: bool = False


def dedupe_key(week: str, user_id: int) -> str:
    return f"digest:{week}:{user_id}"


async def count_readers(only_email: str | None = None) -> int:
    query = User.count().where(User.active == True, User.digest_enabled == True)  # noqa: E712
    if only_email:
        query = query.where(User.email == only_email.strip().lower())
    return await query


async def list_readers(after_id: int, *, only_email: str | None, limit: int) -> list[Reader]:
    query = User.select(User.id, User.name, User.email, User.department, User.language).where(
        User.active == True,  # noqa: E712
        User.digest_enabled == True,  # noqa: E712
        User.id > after_id,
    )
    if only_email:
        query = query.where(User.email == only_email.strip().lower())
    rows = await query.order_by(User.id).limit(limit)
    return [Reader(r["id"], r["name"], r["email"], r["department"], r["language"]) for r in rows]


async def queue_digests(
    week: str,
    mailer: Mailer,
    *,
    only_email: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> DigestRun:
    """Queue the week's digest for every reader who has none yet."""
    organisation = await get_organisation()
    run = DigestRun(week=week)
    week_data = await read_week(week, organisation)
    if not week_data.had_activity:
        run.quiet_week = True
        return run
    total = await count_readers(only_email)
    after = 0
    while readers := await list_readers(after, only_email=only_email, limit=CHUNK):
        after = readers[-1].id
        done = await find_queued_keys([dedupe_key(week, reader.id) for reader in readers])
        batch = [
            Queued(
                email=render_digest(
                    await compose(week_data, organisation, reader, mailer.secret),
                    mailer.templates,
                    reading(organisation),
                ),
                dedupe_key=dedupe_key(week, reader.id),
                kind="digest",
            )
            for reader in readers
            if dedupe_key(week, reader.id) not in done
        ]
        run.readers += len(readers)
        run.already_queued += len(done)
        if not dry_run and batch:
            async with write_transaction():
                added = await queue_emails(batch, domain=mailer.domain)
            run.queued += added
            run.already_queued += len(batch) - added  # another process got there first
        elif dry_run:
            run.queued += len(batch)
        if progress:
            progress(run.readers, total)
    return run


async def preview_digest(user_id: int, week: str, mailer: Mailer) -> Email:
    """The digest this person would get for the week, whether or not they get digests."""
    record = (
        await User.select(User.id, User.name, User.email, User.department, User.language)
        .where(User.id == user_id)
        .first()
    )
    if record is None:
        raise NotFound(gettext("This person does not exist."))
    organisation = await get_organisation()
    reader = Reader(
        record["id"], record["name"], record["email"], record["department"], record["language"]
    )
    week_data = await read_week(week, organisation)
    digest = await compose(week_data, organisation, reader, mailer.secret)
    return render_digest(digest, mailer.templates, reading(organisation))
