"""Writing an import (imports.model.Batch) into the board, all of it or nothing.

Every problem is found before a row is written (Batch.check), and the whole import is
one transaction: a dry run is the same transaction rolled back, so what it reports is
exactly what a real run would do. Each idea's source key is kept (ImportKey): a re-run
skips what it brought before. People are matched by address; someone not on the board
becomes a deactivated placeholder account, which becomes theirs when they sign up or
arrive through the company sign-in (services.placeholders). Nothing imported notifies
anyone, sends email or calls a webhook: it all happened long ago."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role, Status, can_administer, hot_score
from ideaboard.imports.model import Batch, IdeaIn, PersonIn, Problem
from ideaboard.markup import render_markdown
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.departments import check_name, slugify
from ideaboard.services.errors import require
from ideaboard.tables import (
    Comment,
    Department,
    Idea,
    ImportKey,
    Merge,
    StatusChange,
    Subscription,
    User,
    Vote,
)

CHUNK = 400  # rows per multi-row INSERT or IN (...) lookup
Progress = Callable[[int, int], None]  # (ideas done, of)


@dataclass
class ImportReport:
    source: str
    dry_run: bool
    ideas: int = 0
    votes: int = 0
    comments: int = 0
    updates: int = 0
    merges: int = 0
    people_new: int = 0
    people_known: int = 0
    already_imported: int = 0
    departments_new: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.dry_run and not self.problems


class _DryRun(Exception):
    """Rolls the dry run's transaction back."""


async def run_import(
    batch: Batch,
    *,
    actor: Actor | None = None,
    dry_run: bool = False,
    department_map: dict[str, str] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """No actor: the operator, on the command line."""
    if actor is not None:
        require(can_administer(actor))
    batch.check()
    report = ImportReport(batch.source, dry_run, problems=batch.problems, warnings=batch.warnings)
    if report.problems:
        return report
    writer = _Writer(batch, report, {k.lower(): v for k, v in (department_map or {}).items()})
    try:
        async with write_transaction():
            await writer.write(progress)
            if dry_run:
                raise _DryRun
            await add_audit(
                actor, "board.import", target_type="organisation", target_id=0,
                summary=f"{report.ideas} ideas from {batch.source}",
                after={"ideas": report.ideas, "votes": report.votes, "people": report.people_new},
            )  # fmt: skip
    except _DryRun:
        pass
    except ValueError as refused:  # a department name or a board not set up
        report.problems.append(Problem(0, str(refused)))
    return report


class _Writer:
    def __init__(self, batch: Batch, report: ImportReport, department_map: dict[str, str]):
        self.batch = batch
        self.report = report
        self.department_map = department_map
        self.departments: dict[str, int] = {}
        self.people: dict[str, int] = {}
        self.homes: dict[int, int] = {}  # person id -> department id
        self.ideas: dict[str, int] = {}  # source key -> idea id

    async def write(self, progress: Progress | None) -> None:
        self.answerer = await _first_admin()
        for name in [*self.batch.departments, *(idea.department for idea in self.batch.ideas)]:
            await self._department(name)
        await self._people()
        done = await _imported(self.batch.source, [idea.key for idea in self.batch.ideas])
        total = len(self.batch.ideas)
        for count, idea in enumerate(self.batch.ideas, start=1):
            if idea.key in done:
                self.ideas[idea.key] = done[idea.key]
                self.report.already_imported += 1
            else:
                self.ideas[idea.key] = await self._idea(idea)
            if progress is not None and (count % 100 == 0 or count == total):
                progress(count, total)
        for idea in self.batch.ideas:
            if idea.duplicate_of and idea.key not in done:
                await self._merge(idea)

    async def _department(self, name: str) -> int:
        wanted = self.department_map.get(name.strip().lower(), name.strip())
        key = slugify(wanted)
        if key in self.departments:
            return self.departments[key]
        record = await Department.select(Department.id).where(Department.slug == key).first()
        if record is None:
            problem = check_name(wanted)
            if problem:
                raise ValueError(f"{wanted!r}: {'; '.join(problem.values())}")
            department = Department(name=wanted, slug=key, created_at=now())
            await department.save()
            self.report.departments_new.append(wanted)
            record = {"id": department.id}
        self.departments[key] = int(record["id"])
        return self.departments[key]

    async def _people(self) -> None:
        named: dict[str, PersonIn] = {}
        for person in _everyone(self.batch):
            named.setdefault(person.email, person)
        for chunk in _chunks(list(named)):
            for row in await User.select(User.id, User.email, User.department).where(
                User.email.is_in(chunk)
            ):
                self.people[row["email"]] = row["id"]
                self.homes[row["id"]] = row["department"]
        self.report.people_known = len(self.people)
        fallback = next(iter(self.departments.values()), None) or await _any_department()
        for email, person in named.items():
            if email in self.people:
                continue
            home = await self._department(person.department) if person.department else fallback
            user = User(name=person.name, email=email, password_hash="", department=home,
                        role=Role.MEMBER.value, active=False, placeholder=True,
                        digest_enabled=False, created_at=now())  # fmt: skip
            await user.save()
            self.people[email] = int(user.id)
            self.homes[int(user.id)] = home
            self.report.people_new += 1

    async def _idea(self, source: IdeaIn) -> int:
        author = self.people[source.author.email]
        updates = sorted(source.updates, key=lambda update: update.created_at)
        voters = list(dict.fromkeys(self.people[vote.voter.email] for vote in source.votes))
        shown = [c for c in source.comments if not c.hidden]
        last_word = updates[-1].created_at if updates else None
        idea = Idea(
            title=source.title.strip(), body=source.body, body_html=render_markdown(source.body),
            author=author, author_department=self.homes[author],
            department=await self._department(source.department), status=source.status.value,
            vote_count=len(voters), comment_count=len(shown),
            hot_score=hot_score(len(voters), source.created_at), anonymous=source.anonymous,
            approval=source.approval, hidden=source.hidden,
            owner=self.people[source.owner.email] if source.owner else None,
            last_update_at=last_word, created_at=source.created_at,
            updated_at=max(source.created_at, last_word or source.created_at),
        )  # fmt: skip
        await idea.save()
        idea_id = int(idea.id)
        await ImportKey.insert(
            ImportKey(source=self.batch.source, key=source.key, kind="idea", target=idea_id,
                      created_at=now())
        )  # fmt: skip
        when = {self.people[vote.voter.email]: vote.created_at for vote in source.votes}
        await _insert(Vote, [Vote(voter=v, idea=idea_id, created_at=when[v]) for v in voters])
        await _insert(Comment, [
            Comment(idea=idea_id, author=self.people[c.author.email], body=c.body,
                    body_html=render_markdown(c.body), hidden=c.hidden, created_at=c.created_at,
                    updated_at=c.created_at)
            for c in source.comments
        ])  # fmt: skip
        before = Status.NEW.value
        changes = []
        for update in updates:
            who = self.people[update.author.email] if update.author else self.answerer
            changes.append(StatusChange(idea=idea_id, from_status=before,
                                        to_status=update.status.value, author=who,
                                        message=update.message,
                                        message_html=render_markdown(update.message),
                                        created_at=update.created_at))  # fmt: skip
            before = update.status.value
        await _insert(StatusChange, changes)
        followers = dict.fromkeys([author, *voters, *(self.people[c.author.email] for c in shown)])
        await _insert(Subscription, [
            Subscription(account=who, idea=idea_id, created_at=source.created_at)
            for who in followers
        ])  # fmt: skip
        self.report.ideas += 1
        self.report.votes += len(voters)
        self.report.comments += len(source.comments)
        self.report.updates += len(changes)
        return idea_id

    async def _merge(self, source: IdeaIn) -> None:
        duplicate, target = self.ideas[source.key], self.ideas[source.duplicate_of]
        if duplicate == target:
            return
        merged_at = max([source.created_at, *(update.created_at for update in source.updates)])
        await Idea.update({Idea.merged_into: target, Idea.status: Status.DUPLICATE.value}).where(
            Idea.id == duplicate
        )
        previous = source.status if source.status is not Status.DUPLICATE else Status.NEW
        await Merge.insert(
            Merge(duplicate=duplicate, target=target, merged_by=self.answerer,
                  previous_status=previous.value, created_at=merged_at)
        )  # fmt: skip
        self.report.merges += 1


def _everyone(batch: Batch) -> Iterable[PersonIn]:
    yield from batch.people
    for idea in batch.ideas:
        yield idea.author
        yield from (vote.voter for vote in idea.votes)
        yield from (comment.author for comment in idea.comments)
        yield from (update.author for update in idea.updates if update.author)
        if idea.owner:
            yield idea.owner


async def _imported(source: str, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        rows = await ImportKey.select(ImportKey.key, ImportKey.target).where(
            ImportKey.source == source, ImportKey.key.is_in(chunk)
        )
        found.update({row["key"]: row["target"] for row in rows})
    return found


async def _first_admin() -> int:
    """Who answers for status updates the source does not attribute: the first admin."""
    row = await User.select(User.id).where(User.role == Role.ADMIN.value).order_by(User.id).first()
    if row is None:
        raise ValueError("the board has no admin: set it up first")
    return int(row["id"])


async def _any_department() -> int:
    row = await Department.select(Department.id).order_by(Department.id).first()
    if row is None:
        raise ValueError("the board has no department: set it up first")
    return int(row["id"])


async def _insert(table: Any, rows: list[Any]) -> None:
    for chunk in _chunks(rows):
        await table.insert(*chunk)


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
