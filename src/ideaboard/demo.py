"""`ideaboard demo`: fill an empty board with a believable company (fixed sign-ins), in
English (demo_data) or Danish (demo_data_da, `--language da`)."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any

from ideaboard import db, demo_data, demo_data_da
from ideaboard.demo_pictures import attach_demo_pictures
from ideaboard.domain import Role, Status, hot_score
from ideaboard.jobs.runs import claim_run, finish_run
from ideaboard.markup import render_markdown
from ideaboard.notification_kinds import NotificationKind
from ideaboard.passwords import Passwords
from ideaboard.services import insight_rollups, organisation, ranking
from ideaboard.services.clock import now
from ideaboard.services.departments import slugify
from ideaboard.settings import Settings
from ideaboard.storage import open_store
from ideaboard.tables import (
    Comment,
    Department,
    DepartmentManager,
    Flag,
    Idea,
    Notification,
    Organisation,
    StatusChange,
    Subscription,
    User,
    Vote,
)
from ideaboard.weeks import latest_digest_week

DEMO_PASSWORD = "ideaboard-demo"  # demo data only: a real install never has a fixed password
PEOPLE = 60
# The documented sign-ins, one per role (the same addresses in every language).
ROLES = {
    "admin@example.com": Role.ADMIN,
    "manager@example.com": Role.MEMBER,
    "member@example.com": Role.MEMBER,
    "moderator@example.com": Role.MODERATOR,
}
# The companies, by the board's language: a module of demo data each.
COMPANIES: dict[str, ModuleType] = {"en": demo_data, "da": demo_data_da}
# Older ideas are more likely to have moved on from "new".
LATER_STATUSES = (
    Status.UNDER_REVIEW,
    Status.PLANNED,
    Status.IN_PROGRESS,
    Status.DONE,
    Status.DECLINED,
)


def fixed_accounts(company: ModuleType) -> list[tuple[str, str, str, Role]]:
    """The sign-ins: email, name, department, role."""
    return [
        (email, company.FIXED_NAMES[email], company.ACCOUNT_DEPARTMENTS[email], role)
        for email, role in ROLES.items()
    ]


async def load_demo(settings: Settings, language: str = "en") -> int:
    async with db.connected(settings.database_url):
        return await _load(settings, language)


async def _load(settings: Settings, language: str) -> int:
    company = COMPANIES[language]
    if await organisation.is_set_up():
        print("This board already has data; `ideaboard demo` only fills an empty one.")
        print("Point IDEABOARD_DATABASE_URL at a new database, or delete var/ to start over.")
        return 2
    rng = random.Random(2026)
    started = now()
    passwords = Passwords(
        memory_kib=settings.password_memory_kib, time_cost=settings.password_time_cost
    )
    password_hash = await passwords.hash(DEMO_PASSWORD)

    async with db.write_transaction():
        await Organisation.insert(
            Organisation(
                name=company.ORGANISATION, language=language,
                created_at=started - timedelta(days=200),
            )
        )  # fmt: skip
        department_ids: dict[str, int] = {}
        for name in company.DEPARTMENTS:
            department = Department(name=name, slug=slugify(name), created_at=started)
            await department.save()
            department_ids[name] = department.id

        people: list[tuple[int, int]] = []  # (user id, department id)
        accounts = fixed_accounts(company)
        everyone = [(f, ln) for f in company.FIRST_NAMES for ln in company.LAST_NAMES]
        names = iter(rng.sample(everyone, PEOPLE))
        while len(accounts) < PEOPLE:
            first, last = next(names)
            email = f"{_ascii(first)}.{_ascii(last)}@example.com"
            department = rng.choice(company.DEPARTMENTS)
            accounts.append((email, f"{first} {last}", department, Role.MEMBER))
        for email, name, department_name, role in accounts:
            user = User(
                email=email,
                name=name,
                department=department_ids[department_name],
                role=role.value,
                password_hash=password_hash,
                created_at=started - timedelta(days=rng.randint(100, 200)),
            )
            await user.save()
            people.append((user.id, department_ids[department_name]))
        manager_id = people[1][0]  # manager@example.com triages Operations
        member_id = people[2][0]
        operations = department_ids[company.OPERATIONS]
        await DepartmentManager.insert(DepartmentManager(department=operations, manager=manager_id))
        # A low threshold, so the demo's Needs owner lane has ideas waiting at its top.
        await Department.update({Department.routing_threshold: OPERATIONS_THRESHOLD}).where(
            Department.id == operations
        )
        answerers = [manager_id, people[0][0]]  # and the admin answers anywhere

        # Planned first, written in the order they were proposed: ids then follow the dates,
        # as on a real board (New lists the latest first by id).
        plans = [
            _plan(company, line, rng, people, department_ids, answerers, member_id, started)
            for line in company.IDEAS.splitlines()
        ]
        plans.sort(key=lambda plan: plan.idea.created_at)
        news: list[Notification] = []  # the bells' notifications, in order once all is made
        for plan in plans:
            news += await _write(plan, started)
        idea_count = len(plans)
        vote_count = sum(len(plan.votes) for plan in plans)
        comment_count = sum(len(plan.comments) for plan in plans)

        # Something for the moderators: a flagged idea and a flagged comment.
        flagged_idea = (await Idea.select(Idea.id).order_by(Idea.id).limit(8))[-1]
        flagged_comment = (await Comment.select(Comment.id, Comment.idea).limit(1))[0]
        about_idea, about_comment = company.FLAG_REASONS
        await Flag.insert(
            Flag(idea=flagged_idea["id"], flagged_by=people[5][0], created_at=started,
                 reason=about_idea),
            Flag(idea=flagged_comment["idea"], comment=flagged_comment["id"],
                 flagged_by=people[6][0], created_at=started, reason=about_comment),
        )  # fmt: skip
        news.sort(key=lambda notification: notification.created_at)
        if news:
            await Notification.insert(*news)

    await ranking.recount(repair=True)  # trending counts from the generated vote dates
    store = open_store(settings.storage_url, settings.data_dir)
    pictures = await attach_demo_pictures(store, company)
    # /insights has the demo's months to show at once, not after its first ten minutes.
    await insight_rollups.count_weeks(most=100)
    # This week's digest counts as sent: the demo's people get the next one, not sixty
    # emails the moment the board first starts.
    org = await organisation.get_organisation()
    claim = await claim_run("digest", latest_digest_week(started, org.digest))
    if claim:
        await finish_run(claim, "counted as sent when the demo was loaded")
    print(f"Demo company “{company.ORGANISATION}” loaded: ", end="")
    print(f"{len(company.DEPARTMENTS)} departments, ", end="")
    print(
        f"{len(people)} people, {idea_count} ideas, {vote_count} votes, {comment_count} comments,"
        f" {pictures} pictures and files."
    )
    print(f"Sign in with any of these (password: {DEMO_PASSWORD}):")
    for email, name, department_name, role in fixed_accounts(company):
        label = f"Manager ({company.OPERATIONS})" if email.startswith("manager@") else role.label
        print(f"  {email:<24} {label:<22} {name}, {department_name}")
    sys.stdout.flush()
    return 0


OPERATIONS_THRESHOLD = 5


@dataclass
class IdeaPlan:
    """One demo idea and what happened to it, before any of it is written."""

    idea: Idea
    votes: list[tuple[int, datetime]]
    comments: list[tuple[int, str, datetime]]
    followers: set[int]
    # The status changes' columns (but their idea), in order: the idea's way to its status.
    answers: list[dict[str, Any]] = field(default_factory=list)


def _plan(
    company: ModuleType,
    line: str,
    rng: random.Random,
    people: list[tuple[int, int]],
    department_ids: dict[str, int],
    answerers: list[int],
    member_id: int,
    started: datetime,
) -> IdeaPlan:
    department_name, title, problem = line.split("|")
    author_id, author_department = rng.choice(people)
    created = started - timedelta(days=rng.uniform(0, 120), minutes=rng.randint(0, 600))
    age_days = (started - created).days
    status = Status.NEW
    if age_days > 14 and rng.random() < 0.55:
        status = rng.choice(LATER_STATUSES)
    popularity = min(int(rng.paretovariate(1.3) * 2), len(people) - 1)
    voters = rng.sample(people, popularity)
    if department_name == company.OPERATIONS and rng.random() < 0.4:
        # Maria follows what happens in Operations: she hears of its updates.
        voters = [p for p in voters if p[0] != member_id] + [people[2]]
    commenters = [rng.choice(people) for _ in range(min(rng.randint(0, 6), popularity + 2))]
    body = company.BODY.format(problem=problem, closing=rng.choice(company.CLOSINGS))
    idea = Idea(
        title=title,
        body=body,
        body_html=render_markdown(body),
        author=author_id,
        author_department=author_department,
        department=department_ids[department_name],
        status=status.value,
        vote_count=len(voters),
        announced_votes=len(voters),  # the past is not news
        comment_count=len(commenters),
        hot_score=hot_score(len(voters), created),
        trending_votes=0,  # set from the vote rows once they exist (the recount)
        created_at=created,
        updated_at=created,
    )
    votes = [(voter_id, _after(created, started, rng)) for voter_id, _ in voters]
    comments = []
    for commenter_id, _ in commenters:
        text = rng.choice(company.COMMENTS)
        comments.append((commenter_id, text, _after(created, started, rng)))
    followers = {author_id} | {v for v, _ in voters} | {c for c, _ in commenters}
    plan = IdeaPlan(idea=idea, votes=votes, comments=comments, followers=followers)
    if status is not Status.NEW:
        owner = rng.choice(answerers)
        steps = way_to(status, rng)
        moments = sorted(_after(created, started, rng) for _ in steps)
        for before, step, moment in zip((Status.NEW, *steps), steps, moments, strict=False):
            message = company.STATUS_MESSAGES[step.value]
            plan.answers.append({
                "from_status": before.value, "to_status": step.value, "author": owner,
                "message": message, "message_html": render_markdown(message),
                "created_at": moment,
            })  # fmt: skip
        idea.owner = owner
        idea.last_update_at = moments[-1]
    elif department_name == company.OPERATIONS and len(voters) >= OPERATIONS_THRESHOLD:
        idea.needs_owner_since = created
    return plan


async def _write(plan: IdeaPlan, started: datetime) -> list[Notification]:
    """Write the idea and what happened to it; returns its followers' notifications."""
    idea = plan.idea
    await idea.save()
    if plan.votes:
        await Vote.insert(*(Vote(voter=v, idea=idea.id, created_at=at) for v, at in plan.votes))
    for author_id, text, moment in plan.comments:
        await Comment.insert(
            Comment(idea=idea.id, author=author_id, body=text, body_html=render_markdown(text),
                    created_at=moment, updated_at=moment)
        )  # fmt: skip
    await Subscription.insert(
        *(Subscription(account=f, idea=idea.id, created_at=idea.created_at) for f in plan.followers)
    )
    if not plan.answers:
        return []
    for columns in plan.answers:
        answer = StatusChange(idea=idea.id, **columns)
        await answer.save()
    moment = answer.created_at  # the followers hear of the last
    if started - moment >= timedelta(days=21):
        return []
    return [
        Notification(
            account=f,
            kind=NotificationKind.STATUS_CHANGED.value,
            idea=idea.id,
            actor=answer.author,
            status_change=answer.id,
            created_at=moment,
            read_at=moment if started - moment > timedelta(days=4) else None,
        )
        for f in plan.followers
    ]


def way_to(status: Status, rng: random.Random) -> list[Status]:
    """The updates an idea had on its way to `status`: most pass through review, some
    skip a stage, as real triage does."""
    flow = [Status.UNDER_REVIEW, Status.PLANNED, Status.IN_PROGRESS, Status.DONE]
    if status is Status.DECLINED:
        return [Status.UNDER_REVIEW, status] if rng.random() < 0.7 else [status]
    steps = flow[: flow.index(status) + 1]
    return [s for s in steps if s is status or rng.random() < 0.8]


def _after(start: datetime, end: datetime, rng: random.Random) -> datetime:
    return start + (end - start) * rng.random()


FOLDED = {ord("æ"): "ae", ord("ø"): "oe", ord("å"): "aa", ord("ö"): "oe"}


def _ascii(name: str) -> str:
    """A name as the local part of a demo address: "Søren" → "soeren"."""
    folded = name.lower().translate(FOLDED)
    return "".join(c for c in folded if c.isascii() and c.isalnum())
