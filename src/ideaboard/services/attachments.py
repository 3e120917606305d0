"""Pictures and files on ideas and comments.

A form's files are *staged* first: checked, re-encoded (ideaboard.uploads), stored and
recorded as their uploader's, attached to nothing. The idea or comment then takes them
in its own transaction. So a form refused for its text keeps its files (the page
carries their keys back), and a file half-sent never shows anywhere.

Who may read a file is who may read what it is attached to (services.visibility): a
hidden, pending or merged idea's pictures answer 404 to everyone its page does. A file
attached to nothing is its uploader's alone; one a moderator removed, moderators' alone.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import Any

from ideaboard.db import write_transaction
from ideaboard.domain import Actor, can_moderate
from ideaboard.i18n import gettext, ngettext
from ideaboard.services import limits
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, require
from ideaboard.services.file_keeping import VARIANTS, delete_stored
from ideaboard.services.visibility import find_idea_for, require_visible_comment
from ideaboard.settings import Settings
from ideaboard.storage import Store
from ideaboard.tables import Attachment, Idea
from ideaboard.uploads import THUMB_SIZE, Prepared, Refused, Upload, prepare

MB = 1024 * 1024
THUMB_SIDE = THUMB_SIZE[0]


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    per_idea: int
    per_comment: int
    quota_bytes: int
    per_hour: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            max_bytes=settings.upload_max_mb * MB,
            per_idea=settings.files_per_idea,
            per_comment=settings.files_per_comment,
            quota_bytes=settings.upload_quota_mb * MB,
            per_hour=settings.uploads_per_hour,
        )


@dataclass(frozen=True)
class AttachmentView:
    key: str
    file_name: str
    kind: str
    content_type: str
    size: int
    width: int = 0
    height: int = 0
    comment_id: int | None = None
    removed: bool = False

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def url(self) -> str:
        return f"/files/{self.key}"

    @property
    def thumb_url(self) -> str:
        return f"/files/{self.key}/thumb"

    @property
    def thumb_size(self) -> tuple[int, int]:
        """The thumbnail's width and height (the page reserves its room before it loads)."""
        width, height = self.width or THUMB_SIDE, self.height or THUMB_SIDE
        scale = min(1.0, THUMB_SIDE / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass
class Staged:
    """What a form's files became: the attachments ready to take (those kept from
    before first), and what was refused, said in one message."""

    attachments: list[AttachmentView] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    too_large: bool = False  # a file over the size limit: the answer is a 413

    @property
    def keys(self) -> list[str]:
        return [attachment.key for attachment in self.attachments]

    @property
    def error(self) -> str:
        return " ".join(self.problems)


VIEW_COLUMNS = (Attachment.key, Attachment.file_name, Attachment.kind, Attachment.content_type,
                Attachment.size, Attachment.width, Attachment.height,
                Attachment.comment.as_alias("comment_id"))  # fmt: skip


def _view(row: dict[str, Any]) -> AttachmentView:
    removed = row.pop("removed_at", None) is not None
    return AttachmentView(**row, removed=removed)


async def stage(
    actor: Actor, uploads: list[Upload], kept: list[str], *, slots: int, store: Store,
    limit: Limits,
) -> Staged:  # fmt: skip
    """Check and store a form's new files, after the ones it kept from a refused try
    (`kept`: keys this person staged and nothing has taken yet). At most `slots` in all."""
    staged = Staged(attachments=await _kept(actor, kept))
    too_many = ngettext(
        "At most %(num)s file can be attached here.",
        "At most %(num)s files can be attached here.",
        slots,
    ) % {"num": slots}
    if len(staged.attachments) > slots:  # kept from several tries: the first ones stay
        del staged.attachments[slots:]
        staged.problems.append(too_many)
    used = await used_bytes(actor.id)
    for upload in uploads:
        name = upload.file_name
        if len(staged.attachments) >= slots:
            if too_many not in staged.problems:
                staged.problems.append(too_many)
            break
        if upload.too_large:
            staged.too_large = True
            staged.problems.append(
                gettext("%(name)s is larger than %(size)s MB.")
                % {"name": name, "size": limit.max_bytes // MB}
            )
            continue
        if used + len(upload.data) > limit.quota_bytes:
            staged.problems.append(
                gettext("%(name)s would take you past your %(size)s MB of files.")
                % {"name": name, "size": limit.quota_bytes // MB}
            )
            continue
        try:
            await limits.hit("upload:user", str(actor.id), hits=limit.per_hour)
            prepared = await asyncio.to_thread(prepare, name, upload.data)
        except (Refused, limits.RateLimited) as refused:
            staged.problems.append(str(refused))
            continue
        staged.attachments.append(await keep(actor.id, prepared, store))
        used += prepared.stored
    return staged


async def _kept(actor: Actor, keys: list[str]) -> list[AttachmentView]:
    if not keys:
        return []
    rows = await Attachment.select(*VIEW_COLUMNS).where(
        Attachment.key.is_in(keys[:100]), Attachment.uploader == actor.id,
        Attachment.idea.is_null(), Attachment.comment.is_null(),
    ).order_by(Attachment.id)  # fmt: skip
    return [_view(row) for row in rows]


async def keep(
    uploader_id: int, prepared: Prepared, store: Store, *, idea_id: int | None = None
) -> AttachmentView:
    """Store a prepared file under a new random key and record it as its uploader's:
    staged (no idea), or straight on `idea_id` (the demo's pictures)."""
    key = secrets.token_urlsafe(16)
    for variant, data in prepared.variants.items():
        await store.put(f"{key}/{variant}", data)
    row = Attachment(
        key=key, uploader=uploader_id, idea=idea_id, file_name=prepared.file_name,
        kind=prepared.kind, content_type=prepared.content_type, size=prepared.size,
        stored=prepared.stored, width=prepared.width, height=prepared.height,
        created_at=now(),
    )  # fmt: skip
    await row.save()
    return AttachmentView(key, prepared.file_name, prepared.kind, prepared.content_type,
                          prepared.size, prepared.width, prepared.height)  # fmt: skip


async def used_bytes(user_id: int) -> int:
    rows = await Attachment.raw(
        "SELECT COALESCE(SUM(stored), 0) AS used FROM attachment WHERE uploader = {}", user_id
    )
    return int(rows[0]["used"])


async def take(
    actor: Actor, keys: list[str], *, idea_id: int, comment_id: int | None = None
) -> None:
    """Attach this person's staged files to the idea (or to its comment); inside the
    transaction that saves the idea or comment."""
    if keys:
        await Attachment.update({Attachment.idea: idea_id, Attachment.comment: comment_id}).where(
            Attachment.key.is_in(keys), Attachment.uploader == actor.id,
            Attachment.idea.is_null(), Attachment.comment.is_null(),
        )  # fmt: skip
        await refresh_cover(idea_id)


COVER = """
UPDATE idea SET cover = (
    SELECT key FROM attachment
    WHERE idea = {} AND comment IS NULL AND kind = 'image' AND removed_at IS NULL
    ORDER BY id LIMIT 1)
WHERE id = {}
"""


async def refresh_cover(idea_id: int) -> None:
    """The idea's card picture: its first picture nobody removed."""
    await Idea.raw(COVER, idea_id, idea_id)


async def list_for_idea(
    idea_id: int, reader: Actor, *, own_only: bool = False
) -> list[AttachmentView]:
    """The files of an idea and of its comments, oldest first (the caller has checked
    that the reader sees the idea; a comment's files show with the comment). Removed
    ones only for moderators, marked. `own_only`: the idea's own files (its edit form)."""
    query = Attachment.select(*VIEW_COLUMNS, Attachment.removed_at).where(
        Attachment.idea == idea_id
    )
    if own_only:
        query = query.where(Attachment.comment.is_null())
    if not can_moderate(reader) or own_only:
        query = query.where(Attachment.removed_at.is_null())
    return [_view(row) for row in await query.order_by(Attachment.id)]


@dataclass(frozen=True)
class Served:
    data: bytes
    content_type: str
    file_name: str
    inline: bool  # a picture we re-encoded; everything else is a download


async def open_file(key: str, variant: str, reader: Actor, store: Store) -> Served:
    """The stored bytes, if this reader may see what the file is attached to."""
    row = await Attachment.select().where(Attachment.key == key).first()
    missing = NotFound(gettext("This file does not exist."))
    # "": what the file is (a picture's web copy); "thumb": a picture's thumbnail.
    if (
        row is None
        or (variant == "thumb" and row["kind"] != "image")
        or variant not in ("", "thumb")
    ):
        raise missing
    await _require_readable(row, reader, missing)
    data = await store.get(f"{key}/{variant or VARIANTS[row['kind']][0]}")
    if data is None:
        raise missing
    return Served(data, row["content_type"], row["file_name"], inline=row["kind"] == "image")


async def _require_readable(row: dict[str, Any], reader: Actor, missing: NotFound) -> None:
    if row["removed_at"] is not None and not can_moderate(reader):
        raise missing
    if row["idea"] is None:
        if row["uploader"] != reader.id:
            raise missing
        return
    try:
        await find_idea_for(row["idea"], reader)
        if row["comment"] is not None:
            await require_visible_comment(row["comment"], reader)
    except NotFound:
        raise missing from None


async def set_removed(actor: Actor, key: str, *, removed: bool) -> int:
    """A moderator removes a file from its idea or comment (kept, for Restore), or
    restores it; returns the idea it is on."""
    require(can_moderate(actor))
    row = await Attachment.select().where(Attachment.key == key).first()
    if row is None or row["idea"] is None:
        raise NotFound(gettext("This file does not exist."))
    async with write_transaction():
        await Attachment.update({
            Attachment.removed_at: now() if removed else None,
            Attachment.removed_by: actor.id if removed else None,
        }).where(Attachment.key == key)  # fmt: skip
        await refresh_cover(row["idea"])
        await add_audit(
            actor, "file.remove" if removed else "file.restore", target_type="idea",
            target_id=row["idea"], summary=row["file_name"],
        )  # fmt: skip
    return int(row["idea"])


async def discard(actor: Actor, keys: list[str], *, idea_id: int, store: Store) -> None:
    """The idea's author takes their own files off it (on the edit form): gone for good."""
    if not keys:
        return
    rows = await Attachment.select(Attachment.key, Attachment.kind).where(
        Attachment.key.is_in(keys[:100]), Attachment.idea == idea_id,
        Attachment.comment.is_null(), Attachment.uploader == actor.id,
    )  # fmt: skip
    if rows:
        async with write_transaction():
            await Attachment.delete().where(Attachment.key.is_in([r["key"] for r in rows]))
            await refresh_cover(idea_id)
        await delete_stored(store, rows)
