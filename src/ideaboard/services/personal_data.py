"""Download my data (GDPR articles 15 and 20): everything the board holds about a person,
as JSON and as CSV files in a zip, made in the background and fetched once.

The file is made under DATA_DIR/exports with a random name and mode 0600, and offered at
/account by a link signed for that person and that request: it works for them alone,
once, for LINK_DAYS days; then the file is deleted. What others wrote appears only as far
as the person may see it (the visibility rule): their vote on an idea hidden since keeps
the idea's number, not its title."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ideaboard.csv_files import csv_text
from ideaboard.db import write_transaction
from ideaboard.domain import Actor, Role
from ideaboard.files import make_directories, private_file
from ideaboard.i18n import gettext
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound
from ideaboard.services.file_keeping import add_to_zip, exported
from ideaboard.services.visibility import sees
from ideaboard.storage import Store
from ideaboard.tables import (
    Attachment,
    Comment,
    DataRequest,
    Idea,
    Notification,
    OutboxEmail,
    StatusChange,
    Subscription,
    User,
    Vote,
)

LINK_DAYS = 7


@dataclass(frozen=True)
class DataRequestView:
    id: int
    state: str  # waiting, making, ready, taken, expired
    created_at: datetime
    expires_at: datetime | None
    size: int
    signature: str  # for the link, when ready

    @property
    def ready(self) -> bool:
        return self.state == "ready"


def exports_dir(data_dir: Path) -> Path:
    return data_dir / "exports"


def signature(secret: str, request_id: int, account_id: int) -> str:
    message = f"personal-data:{request_id}:{account_id}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:40]


async def ask(actor: Actor) -> int:
    """Ask for a new file (one waiting at a time is enough)."""
    async with write_transaction():
        waiting = (
            await DataRequest.select(DataRequest.id)
            .where(DataRequest.account == actor.id, DataRequest.state.is_in(["waiting", "making"]))
            .first()
        )
        if waiting is not None:
            return int(waiting["id"])
        request = DataRequest(account=actor.id, created_at=now())
        await request.save()
        return int(request.id)


async def latest(actor: Actor, secret: str) -> DataRequestView | None:
    row = (
        await DataRequest.select()
        .where(DataRequest.account == actor.id)
        .order_by(DataRequest.id, ascending=False)
        .first()
    )
    if row is None:
        return None
    state = row["state"]
    if state == "ready" and row["expires_at"] <= now():
        state = "expired"
    return DataRequestView(
        id=row["id"], state=state, created_at=row["created_at"], expires_at=row["expires_at"],
        size=row["size"], signature=signature(secret, row["id"], actor.id),
    )  # fmt: skip


async def take(actor: Actor, request_id: int, signed: str, secret: str, data_dir: Path) -> Path:
    """The file, for its person, once: the link stops working as it is fetched."""
    if not hmac.compare_digest(signed, signature(secret, request_id, actor.id)):
        raise NotFound(gettext("This link has expired or was already used."))
    async with write_transaction():
        taken: dict[Any, Any] = {DataRequest.state: "taken", DataRequest.taken_at: now()}
        rows = await DataRequest.update(taken).where(
            DataRequest.id == request_id, DataRequest.account == actor.id,
            DataRequest.state == "ready", DataRequest.expires_at > now(),
        ).returning(DataRequest.file_name)  # fmt: skip
    path = exports_dir(data_dir) / (rows[0]["file_name"] if rows else "")
    if not rows or not await asyncio.to_thread(path.is_file):
        raise NotFound(gettext("This link has expired or was already used."))
    return path


async def make_waiting(data_dir: Path, store: Store) -> int:
    """Make the files asked for; each request is claimed first, so any process may run
    this at once. Returns how many were made."""
    made = 0
    for row in await DataRequest.select(DataRequest.id).where(DataRequest.state == "waiting"):
        claimed = (
            await DataRequest.update({DataRequest.state: "making"})
            .where(DataRequest.id == row["id"], DataRequest.state == "waiting")
            .returning(DataRequest.account)
        )
        if not claimed:
            continue
        name = f"{secrets.token_hex(16)}.zip"
        document = await gather(claimed[0]["account"])
        target = exports_dir(data_dir) / name
        await asyncio.to_thread(write_zip, document, target)
        await add_to_zip(target, document["files"], store)
        size = target.stat().st_size
        moment = now()
        await DataRequest.update({
            DataRequest.state: "ready", DataRequest.file_name: name,
            DataRequest.size: size, DataRequest.ready_at: moment,
            DataRequest.expires_at: moment + timedelta(days=LINK_DAYS),
        }).where(DataRequest.id == row["id"])  # fmt: skip
        made += 1
    return made


async def forget_old(data_dir: Path, at: datetime | None = None) -> int:
    """Delete the files fetched or past their days; returns how many went."""
    rows = (
        await DataRequest.update({DataRequest.state: "expired"})
        .where(DataRequest.state == "ready", DataRequest.expires_at <= (at or now()))
        .returning(DataRequest.file_name)
    )
    taken = (
        await DataRequest.update({DataRequest.file_name: ""})
        .where(DataRequest.state == "taken", DataRequest.file_name != "")
        .returning(DataRequest.file_name)
    )
    names = [row["file_name"] for row in [*rows, *taken]]
    return await asyncio.to_thread(remove_files, data_dir, names)


def remove_files(data_dir: Path, names: list[str]) -> int:
    removed = 0
    for name in names:
        if name:
            path = exports_dir(data_dir) / Path(name).name
            removed += path.is_file()
            path.unlink(missing_ok=True)
    return removed


PROFILE = (User.id, User.name, User.email, User.department.name.as_alias("department"),
           User.role, User.language, User.digest_enabled, User.notification_prefs,
           User.listed_as_contributor, User.created_at)  # fmt: skip
IDEAS = (Idea.id, Idea.title, Idea.body, Idea.department.name.as_alias("department"),
         Idea.status, Idea.anonymous, Idea.approval, Idea.hidden, Idea.moderation_reason,
         Idea.vote_count, Idea.comment_count, Idea.created_at, Idea.updated_at)  # fmt: skip
COMMENTS = (Comment.id, Comment.idea, Comment.body, Comment.approval, Comment.hidden,
            Comment.created_at, Comment.updated_at)  # fmt: skip
UPDATES = (StatusChange.idea, StatusChange.from_status, StatusChange.to_status,
           StatusChange.message, StatusChange.created_at)  # fmt: skip
NOTIFICATIONS = (Notification.kind, Notification.idea, Notification.created_at,
                 Notification.read_at, Notification.emailed)  # fmt: skip
FILES = (Attachment.key, Attachment.idea, Attachment.comment, Attachment.file_name,
         Attachment.kind, Attachment.content_type, Attachment.size, Attachment.removed_at,
         Attachment.created_at)  # fmt: skip
EMAILS = (OutboxEmail.kind, OutboxEmail.subject, OutboxEmail.text_body, OutboxEmail.created_at,
          OutboxEmail.sent_at)  # fmt: skip


async def gather(account_id: int) -> dict[str, Any]:
    """Everything about one person, as they may see it."""
    person = await User.select(*PROFILE).where(User.id == account_id).first()
    if person is None:
        raise NotFound(gettext("This person does not exist."))
    reader = Actor(id=account_id, role=Role(person["role"]), department_id=0)
    titles = await _titles(reader, account_id)

    def titled(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**row, "idea_title": titles.get(row["idea"], "")} for row in rows]

    mine = Idea.author == account_id
    return {
        "format": "ideaboard-personal-data",
        "made_at": now(),
        "profile": {**person, "notification_prefs": json.loads(person["notification_prefs"])},
        "ideas": await Idea.select(*IDEAS).where(mine).order_by(Idea.id),
        "comments": titled(
            await Comment.select(*COMMENTS).where(Comment.author == account_id).order_by(Comment.id)
        ),
        "votes": titled(
            await Vote.select(Vote.idea, Vote.created_at).where(Vote.voter == account_id)
        ),
        "follows": titled(
            await Subscription.select(Subscription.idea, Subscription.created_at).where(
                Subscription.account == account_id
            )
        ),
        "status_updates": titled(
            await StatusChange.select(*UPDATES).where(StatusChange.author == account_id)
        ),
        "notifications": titled(
            await Notification.select(*NOTIFICATIONS).where(Notification.account == account_id)
        ),
        "emails": await OutboxEmail.select(*EMAILS).where(
            OutboxEmail.to_address == person["email"]
        ),
        # The pictures and files they sent, in the zip under `path`.
        "files": [
            exported(row)
            for row in await Attachment.select(*FILES).where(Attachment.uploader == account_id)
        ],
    }


async def _titles(reader: Actor, account_id: int) -> dict[int, str]:
    """The titles of the ideas their rows point at, where they may see them."""
    ids: set[int] = set()
    pointing: list[tuple[Any, Any]] = [
        (Vote, Vote.voter), (Comment, Comment.author), (Subscription, Subscription.account),
        (Notification, Notification.account), (StatusChange, StatusChange.author),
    ]  # fmt: skip
    for table, column in pointing:
        rows = await table.select(table.idea).where(column == account_id)
        ids.update(row["idea"] for row in rows if row["idea"] is not None)
    if not ids:
        return {}
    rows = await Idea.select(Idea.id, Idea.title, Idea.author, Idea.approval, Idea.hidden).where(
        Idea.id.is_in(sorted(ids))
    )
    return {row["id"]: row["title"] for row in rows if sees(reader, row)}


def write_zip(document: dict[str, Any], target: Path) -> int:
    """The zip at `target` (readable by this user only); returns its size."""
    make_directories(target.parent)
    private_file(target)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(document, default=_text, indent=1))
        archive.writestr(
            "profile.csv", csv_text(list(document["profile"]), [_cells(document["profile"])])
        )
        for name in ("ideas", "comments", "votes", "follows", "status_updates",
                     "notifications", "emails", "files"):  # fmt: skip
            rows = document[name]
            header = list(rows[0]) if rows else ["none"]
            archive.writestr(f"{name}.csv", csv_text(header, [_cells(row) for row in rows]))
    return target.stat().st_size


def _cells(row: dict[str, Any]) -> list[object]:
    return [_text(value) if isinstance(value, datetime | dict) else value for value in row.values()]


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return json.dumps(value)
    raise TypeError(f"{type(value).__name__} is not JSON")
