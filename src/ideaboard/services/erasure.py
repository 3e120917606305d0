"""Erasing a person (GDPR article 17): everything that names them goes, what they gave
the board stays.

The account row stays as a tombstone named "Former colleague" (in the board's language),
with a pseudonymous address and no password, sign-in links or sessions, so their ideas,
comments and votes keep counting and pointing somewhere that identifies nobody. Their
email, sessions, tokens, follows, notifications and the emails sent to them are deleted;
the records that quoted them for others (emails, webhook messages, notifications, the
audit, events) have their name and address replaced: by "Former colleague", or in the
audit by the tombstone's pseudonym. Optionally their ideas and comments are removed too.

On SQLite every connection deletes securely (db_sqlite), and erasing ends with a full
checkpoint, so the old bytes are in neither the database file nor its WAL.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from piccolo.columns.combination import WhereRaw

from ideaboard import db
from ideaboard.domain import Actor, Role, can_change_person
from ideaboard.i18n import gettext, in_language
from ideaboard.mail.mailer import Mailer
from ideaboard.passwords import Passwords
from ideaboard.services import file_keeping
from ideaboard.services.audit import add_audit
from ideaboard.services.clock import now
from ideaboard.services.erasure_quotes import QUOTING, find_quotes, forms, reword
from ideaboard.services.errors import NotFound, ValidationFailed, require
from ideaboard.services.organisation import get_organisation
from ideaboard.services.personal_data import remove_files
from ideaboard.storage import Store
from ideaboard.tables import (
    ApiToken,
    Attachment,
    Comment,
    DataRequest,
    DepartmentManager,
    Idea,
    Notification,
    OutboxEmail,
    PasswordReset,
    PendingEdit,
    RateLimit,
    Session,
    SignupRequest,
    Subscription,
    User,
    Vote,
)

ERASED_DOMAIN = "erased.invalid"


@dataclass(frozen=True)
class Erased:
    """What an erasure did; the mail transport forgets the emails' copies it keeps."""

    user_id: int
    pseudonym: str
    emails_deleted: list[int] = field(default_factory=list)
    emails_reworded: list[int] = field(default_factory=list)
    ideas_removed: int = 0
    comments_removed: int = 0
    data_files: list[str] = field(default_factory=list)  # their "Download my data" files
    # Pictures and files whose rows went (key and kind): their bytes go from the store.
    stored_files: list[dict[str, Any]] = field(default_factory=list)

    async def tidy(self, mailer: Mailer, data_dir: Path, store: Store) -> None:
        """After the erasure: the copies kept outside the database follow."""
        await mailer.forget(self.emails_deleted, self.emails_reworded)
        await asyncio.to_thread(remove_files, data_dir, self.data_files)
        await file_keeping.delete_stored(store, self.stored_files)


@dataclass(frozen=True)
class Preview:
    """What erasing someone would touch, for the page that asks to confirm it."""

    user_id: int
    name: str
    email: str
    has_password: bool
    ideas: int
    comments: int
    votes: int


async def preview(actor: Actor, user_id: int) -> Preview:
    """An admin about to erase someone else, or anyone about to erase themselves."""
    if actor.id != user_id:
        require(can_change_person(actor, user_id))
    person = (
        await User.select(User.name, User.email, User.password_hash)
        .where(User.id == user_id, User.erased_at.is_null())
        .first()
    )
    if person is None:
        raise NotFound(gettext("This person does not exist."))
    return Preview(
        user_id=user_id,
        name=person["name"],
        email=person["email"],
        has_password=bool(person["password_hash"]),
        ideas=await Idea.count().where(Idea.author == user_id),
        comments=await Comment.count().where(Comment.author == user_id),
        votes=await Vote.count().where(Vote.voter == user_id),
    )


async def erase_person(
    actor: Actor | None, user_id: int, *, remove_content: bool = False
) -> Erased:
    """Erase someone: an admin erases others, anyone erases themselves (the controller
    checks their password first); no actor is the operator (`ideaboard erase`) or the
    retention period."""
    if actor is not None and actor.id != user_id:
        require(can_change_person(actor, user_id))
    known = await User.select(User.name, User.email).where(User.id == user_id).first()
    if known is None:
        raise NotFound(gettext("This person does not exist."))
    needles = [needle for text in (known["name"], known["email"]) for needle, _ in forms(text)]
    quotes = await find_quotes(needles)
    async with db.write_transaction():
        person = (
            await User.select(
                User.id, User.name, User.email, User.role, User.active, User.erased_at
            )
            .where(User.id == user_id)
            .first()
        )
        if person is None or person["erased_at"] is not None:
            raise NotFound(gettext("This person does not exist."))
        if (person["name"], person["email"]) != (known["name"], known["email"]):
            raise ValidationFailed(
                {"erase": gettext("This person was changed just now: try again.")}
            )
        if person["role"] == Role.ADMIN.value:
            await _check_another_admin(user_id)
        organisation = await get_organisation()
        with in_language(organisation.language):
            former = gettext("Former colleague")
        pseudonym = f"erased-{secrets.token_hex(5)}"
        address = f"{pseudonym}@{ERASED_DOMAIN}"
        deleted = await _forget_belongings(user_id, person["email"])
        files = (
            await DataRequest.delete()
            .where(DataRequest.account == user_id)
            .returning(DataRequest.file_name)
        )
        reworded = await reword(quotes, _replacements(person, former, pseudonym))
        ideas = comments = 0
        stored = await _remove_files(user_id, everything=remove_content)
        if remove_content:
            ideas, comments = await _remove_content(user_id)
        await Idea.update({Idea.owner: None}).where(Idea.owner == user_id)
        moment = now()
        await User.update(
            {
                User.name: former,
                User.email: address,
                User.password_hash: "",
                User.active: False,
                User.role: Role.MEMBER.value,
                User.digest_enabled: False,
                User.notification_prefs: "{}",
                User.listed_as_contributor: False,
                User.oidc_subject: None,
                User.directory_user_name: "",
                User.external_id: "",
                User.directory_deleted_at: moment,
                User.feed_generation: User.feed_generation + 1,
                User.erased_at: moment,
            }
        ).where(User.id == user_id)
        removed = " with their ideas and comments" if remove_content else ""
        await add_audit(
            actor, "user.erased", target_type="user", target_id=user_id,
            summary=f"{pseudonym} erased{removed}",
            after={"ideas_removed": ideas, "comments_removed": comments},
        )  # fmt: skip
    await db.forget_old_pages()
    names = [row["file_name"] for row in files]
    emails = sorted(reworded["outbox_email"])
    return Erased(user_id, pseudonym, deleted, emails, ideas, comments, names, stored)


async def erase_own_account(
    actor: Actor, *, password: str, confirm_email: str, passwords: Passwords,
    remove_content: bool,
) -> Erased:  # fmt: skip
    """Someone erasing themselves proves it is them: their password, or (signed in only
    through the company directory, without one) their email address typed out."""
    record = await User.select(User.email, User.password_hash).where(User.id == actor.id).first()
    if record is None:
        raise NotFound(gettext("This person does not exist."))
    if record["password_hash"]:
        if not await passwords.verify(record["password_hash"], password):
            raise ValidationFailed({"password": gettext("That is not your password.")})
    elif confirm_email.strip().lower() != record["email"]:
        raise ValidationFailed(
            {"confirm_email": gettext("Type your email address as it is shown above.")}
        )
    return await erase_person(actor, actor.id, remove_content=remove_content)


async def erase_deactivated(*, days: int, at: datetime | None = None) -> list[Erased]:
    """The retention period: erase everyone deactivated more than `days` days ago."""
    if days <= 0:
        return []
    cutoff = (at or now()) - timedelta(days=days)
    due = await User.select(User.id).where(
        User.active.eq(False), User.erased_at.is_null(), User.deactivated_at < cutoff
    )
    erased = []
    for record in due:
        try:
            erased.append(await erase_person(None, record["id"]))
        except (NotFound, ValidationFailed):
            continue  # erased meanwhile, or the last admin
    return erased


async def has_password(user_id: int) -> bool:
    """Whether erasing their own account asks for their password (or else their address)."""
    record = await User.select(User.password_hash).where(User.id == user_id).first()
    return bool(record and record["password_hash"])


async def find_by_email(email: str) -> int | None:
    record = (
        await User.select(User.id)
        .where(User.email == email.strip().lower(), User.erased_at.is_null())
        .first()
    )
    return None if record is None else int(record["id"])


async def _check_another_admin(user_id: int) -> None:
    others = await User.count().where(
        User.role == Role.ADMIN.value, User.active.eq(True), User.id != user_id
    )
    if others == 0:
        raise ValidationFailed(
            {"erase": gettext("The board needs another active admin before this one goes.")}
        )


async def _forget_belongings(user_id: int, email: str) -> list[int]:
    """Delete what is theirs alone; returns the ids of the emails to them."""
    emails = (
        await OutboxEmail.delete().where(OutboxEmail.to_address == email).returning(OutboxEmail.id)
    )
    for table, column in (
        (Session, Session.account),
        (ApiToken, ApiToken.account),
        (PasswordReset, PasswordReset.account),
        (Notification, Notification.account),
        (Subscription, Subscription.account),
        (DepartmentManager, DepartmentManager.manager),
        (PendingEdit, PendingEdit.author),
    ):
        await table.delete().where(column == user_id)
    await SignupRequest.delete().where(SignupRequest.email == email)
    await RateLimit.delete().where(WhereRaw(db.contains_sql("key"), email))
    return sorted(row["id"] for row in emails)


def _replacements(
    person: dict[str, Any], former: str, pseudonym: str
) -> dict[str, list[tuple[str, str]]]:
    """By table: each form of their name and address, and what replaces it ("Former
    colleague", or in the audit their pseudonym; the tombstone's address)."""
    address = f"{pseudonym}@{ERASED_DOMAIN}"

    def pairs(name_becomes: str) -> list[tuple[str, str]]:
        return forms(person["name"], name_becomes) + forms(person["email"], address)

    return {table: pairs(pseudonym if table == "audit_entry" else former) for table in QUOTING}


async def _remove_files(user_id: int, *, everything: bool) -> list[dict[str, Any]]:
    """The pictures and files they sent that no idea took; with `everything`, all they
    sent and all on their ideas and comments (which go too). Returns key and kind."""
    if not everything:
        theirs: Any = (Attachment.uploader == user_id) & Attachment.idea.is_null()
    else:
        idea_ids = [r["id"] for r in await Idea.select(Idea.id).where(Idea.author == user_id)]
        comment_ids = [
            r["id"] for r in await Comment.select(Comment.id).where(Comment.author == user_id)
        ]
        theirs = Attachment.uploader == user_id
        if idea_ids:
            theirs |= Attachment.idea.is_in(idea_ids)
        if comment_ids:
            theirs |= Attachment.comment.is_in(comment_ids)
    rows: list[dict[str, Any]] = (
        await Attachment.delete().where(theirs).returning(Attachment.key, Attachment.kind)
    )
    return rows


async def _remove_content(user_id: int) -> tuple[int, int]:
    """Delete their comments (keeping others' counts right) and their ideas."""
    comments: list[dict[str, Any]] = (
        await Comment.delete()
        .where(Comment.author == user_id)
        .returning(Comment.idea, Comment.approval, Comment.hidden)
    )
    counted: dict[int, int] = {}
    for row in comments:
        if row["approval"] == "approved" and not row["hidden"]:
            counted[row["idea"]] = counted.get(row["idea"], 0) + 1
    for idea_id, count in counted.items():
        await Idea.update({Idea.comment_count: Idea.comment_count - count}).where(
            Idea.id == idea_id
        )
    ideas = await Idea.delete().where(Idea.author == user_id).returning(Idea.id)
    return len(ideas), len(comments)
