"""Erasing a person: nothing that names them is left anywhere the board keeps data (the
database's tables and file, the mail directory, backups made afterwards), and what they
gave the board still counts."""

from __future__ import annotations

import email
import sqlite3
import subprocess
from datetime import timedelta
from email.message import Message
from pathlib import Path

from conftest import PASSWORD, Client, Person, Personas, make_idea, page_text
from ideaboard import db
from ideaboard.backup import backup
from ideaboard.domain import Role
from ideaboard.jobs.events import move_events
from ideaboard.jobs.scheduler import erase_after_retention
from ideaboard.mail.mailer import Mailer
from ideaboard.passwords import Passwords
from ideaboard.services import comments, organisation, status_updates, users, votes
from ideaboard.services import webhooks as webhook_admin
from ideaboard.services.clock import now
from ideaboard.services.notification_emails import email_notifications
from ideaboard.settings import Settings
from ideaboard.storage import open_store
from ideaboard.tables import AuditEntry, Comment, Idea, Organisation, User, Vote
from test_scim_compliance import cli

NAME = "Søren O'Brien-Kjær"
EMAIL = "soren.kjaer@example.com"
NEEDLES = (NAME, EMAIL, "O&#39;Brien-Kjær", "S\\u00f8ren")


async def add_soren(board: Personas, settings: Settings) -> Person:
    passwords = Passwords(
        memory_kib=settings.password_memory_kib, time_cost=settings.password_time_cost
    )
    password_hash = await passwords.hash(PASSWORD)
    async with db.write_transaction():
        user_id = await users.insert_user(
            name=NAME, email=EMAIL, password_hash=password_hash,
            department_id=board.customer_service, role=Role.MEMBER,
        )  # fmt: skip
    return Person(user_id, EMAIL, NAME, board.customer_service)


async def a_busy_life(board: Personas, soren: Person, local: Settings) -> dict[str, int]:
    """Søren proposes, votes, comments and is answered; others hear of it by email and
    webhook; an admin's action names him in the audit. Returns the ideas' ids."""
    mailer = Mailer.from_settings(local)
    await webhook_admin.add_endpoint(None, "http://127.0.0.1:9/hook", "all", "Nobody home")
    own = await make_idea(soren, board.operations, "A loading dock calendar")
    otto = await make_idea(board.otto, board.operations, "Night shift parking")
    await votes.set_vote(soren.actor, otto, voted=True)
    await votes.set_vote(board.mia.actor, own, voted=True)
    await comments.add_comment(soren.actor, otto, comments.CommentInput(body="Yes, and lights"))
    await comments.add_comment(board.mia.actor, own, comments.CommentInput(body="Me too"))
    await status_updates.update_status(
        board.ada.actor, own, status_updates.StatusUpdateInput(status="planned", message="In May")
    )
    await users.set_role(board.ada.actor, soren.id, "moderator")
    await users.set_role(board.ada.actor, soren.id, "member")
    await email_notifications(mailer, delay=timedelta(0), moment=now() + timedelta(hours=1))
    await mailer.deliver()
    await move_events(local, mailer)
    return {"own": own, "otto": otto}


async def rows_naming(needles: tuple[str, ...] = NEEDLES) -> list[str]:
    """Every table.column whose text holds a needle, on either database."""
    if db.is_sqlite():
        tables = [r["name"] for r in await User.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            " AND name NOT LIKE 'idea_fts%'"
        )]  # fmt: skip
        columns = [
            (table, r["name"])
            for table in tables
            for r in await User.raw(f"SELECT name, type FROM pragma_table_info('{table}')")
            if r["type"].upper() in {"TEXT", "VARCHAR"} or r["type"].upper().startswith("VARCHAR")
        ]
    else:
        columns = [
            (r["table_name"], r["column_name"])
            for r in await User.raw(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND data_type IN ('text', 'character varying')"
            )
        ]
    found = []
    for table, column in columns:
        for needle in needles:
            hits = await User.raw(
                f'SELECT COUNT(*) AS n FROM "{table}" WHERE "{column}" LIKE {{}}',
                f"%{needle}%",
            )
            if hits[0]["n"]:
                found.append(f"{table}.{column}: {needle}")
    return found


def mail_naming(directory: Path) -> list[str]:
    """The .eml files that name the person, raw or decoded."""
    found = []
    for path in sorted(directory.glob("*.eml")):
        data = path.read_bytes()
        message = email.message_from_bytes(data)
        parts: list[Message] = list(message.walk())
        decoded = str(message) + "".join(
            (part.get_payload(decode=True) or b"").decode("utf-8", "replace")  # type: ignore[union-attr]
            for part in parts
            if not part.is_multipart()
        )
        if EMAIL.encode() in data or any(needle in decoded for needle in NEEDLES):
            found.append(path.name)
    return found


def file_naming(path: Path) -> bool:
    data = path.read_bytes()
    return any(needle.encode() in data for needle in (NAME, EMAIL, "O'Brien-Kj"))


async def counts() -> dict[str, object]:
    return {
        "ideas": await Idea.count(),
        "comments": await Comment.count(),
        "votes": await Vote.count(),
        "counters": await Idea.select(Idea.vote_count, Idea.comment_count).order_by(Idea.id),
    }  # fmt: skip


def backup_text(settings: Settings, path: Path) -> bytes:
    """A backup's bytes as searchable text (PostgreSQL's custom format is compressed)."""
    if settings.is_sqlite:
        return path.read_bytes()
    return subprocess.run(
        ["pg_restore", "--file=-", str(path)], capture_output=True, check=True
    ).stdout  # fmt: skip


async def test_an_erased_person_is_named_nowhere_and_their_work_still_counts(
    board: Personas, client: Client, settings: Settings, local: Settings
) -> None:
    soren = await add_soren(board, settings)
    ideas = await a_busy_life(board, soren, local)
    mail = settings.data_dir / "mail"
    assert await rows_naming(), "the test's setting names Søren nowhere: it proves nothing"
    assert mail_naming(mail)
    before = await counts()

    await client.login(board.ada.email)
    page = await client.get(f"/admin/users/{soren.id}/erase")
    assert page.status_code == 200
    assert "Erase Søren O&#39;Brien-Kjær for good" in page.text
    assert "1 idea, 1 comment" in page_text(page.text)
    response = await client.post(f"/admin/users/{soren.id}/erase", {"remove_content": "0"})
    assert response.status_code == 303
    listed = await client.get(response.headers["location"])
    audit = await AuditEntry.select(AuditEntry.summary).where(AuditEntry.action == "user.erased")
    pseudonym = audit[0]["summary"].split()[0]
    assert pseudonym.startswith("erased-")
    assert f"The audit now calls them {pseudonym}" in page_text(listed.text)

    assert await counts() == before
    reactivate = await client.post(f"/admin/users/{soren.id}/active", {"active": "1"})
    assert reactivate.status_code == 404  # an erased person is nobody to bring back
    assert "Former colleague" not in page_text((await client.get("/admin/users")).text)
    assert await rows_naming() == []
    assert mail_naming(mail) == []
    own = await client.get(f"/ideas/{ideas['own']}")
    assert "Former colleague" in page_text(own.text)
    assert NAME not in own.text and "O&#39;Brien" not in own.text
    assert "Former colleague" in page_text((await client.get(f"/ideas/{ideas['otto']}")).text)
    roles = await AuditEntry.select(AuditEntry.summary).where(AuditEntry.action == "user.role")
    assert all(row["summary"].startswith(f"{pseudonym}:") for row in roles)

    copy = backup(settings)
    assert not any(needle.encode() in backup_text(settings, copy) for needle in (NAME, EMAIL))
    if settings.is_sqlite:
        path = db.sqlite_path(settings.database_url)
        with sqlite3.connect(path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not file_naming(path)
        wal = path.with_name(path.name + "-wal")
        assert not wal.exists() or not file_naming(wal)

    await client.logout()
    refused = await client.post("/login", {"email": EMAIL, "password": PASSWORD})
    assert refused.status_code == 422


async def test_people_erase_themselves_with_their_password(
    board: Personas, client: Client, settings: Settings
) -> None:
    soren = await add_soren(board, settings)
    own = await make_idea(soren, board.operations, "A loading dock calendar")
    otto = await make_idea(board.otto, board.operations, "Night shift parking")
    await comments.add_comment(soren.actor, otto, comments.CommentInput(body="Yes, and lights"))
    await votes.set_vote(soren.actor, otto, voted=True)
    await client.login(EMAIL)

    wrong = await client.post("/account/erase", {"password": "not it", "remove_content": "1"})
    assert wrong.status_code == 422
    assert "That is not your password." in page_text(wrong.text)
    assert 'value="1" checked' in wrong.text  # their choice is kept
    assert await User.exists().where(User.email == EMAIL)

    done = await client.post("/account/erase", {"password": PASSWORD, "remove_content": "1"})
    assert done.status_code == 303
    assert not await User.exists().where(User.email == EMAIL)
    assert not await Idea.exists().where(Idea.id == own)  # removed, as they chose
    assert await Comment.count().where(Comment.idea == otto) == 0
    assert (await Idea.select(Idea.comment_count, Idea.vote_count).where(Idea.id == otto))[0] == {
        "comment_count": 0, "vote_count": 1,
    }  # fmt: skip
    home = await client.get(done.headers["location"], follow_redirects=True)
    assert "Your account is erased" in page_text(home.text)
    assert (await client.get("/account")).status_code in {302, 303, 401}


async def test_the_last_admin_cannot_erase_themselves(board: Personas, client: Client) -> None:
    await User.update({User.active: False}).where(User.id == board.mo.id)
    await client.login(board.ada.email)
    response = await client.post("/account/erase", {"password": PASSWORD, "remove_content": "0"})
    assert response.status_code == 422
    assert "needs another active admin" in page_text(response.text)
    assert await User.exists().where(User.email == board.ada.email)


async def test_members_cannot_erase_others(board: Personas, client: Client) -> None:
    await client.login(board.mia.email)
    assert (await client.get(f"/admin/users/{board.otto.id}/erase")).status_code == 403
    response = await client.post(f"/admin/users/{board.otto.id}/erase", {"remove_content": "1"})
    assert response.status_code == 403
    assert await User.exists().where(User.email == board.otto.email)


async def test_deactivated_people_are_erased_after_the_retention_period(
    board: Personas, settings: Settings
) -> None:
    soren = await add_soren(board, settings)
    await users.set_active(board.ada.actor, soren.id, False)
    await Organisation.update({Organisation.erase_deactivated_after_days: 30}, force=True)
    mailer = Mailer.from_settings(settings)
    org = await organisation.get_organisation()
    await erase_after_retention(
        org,
        mailer,
        now() + timedelta(days=29),
        settings.data_dir,
        open_store("", settings.data_dir),
    )
    assert await User.exists().where(User.email == EMAIL)
    await erase_after_retention(
        org,
        mailer,
        now() + timedelta(days=31),
        settings.data_dir,
        open_store("", settings.data_dir),
    )
    assert not await User.exists().where(User.email == EMAIL)
    assert await User.exists().where(User.id == soren.id, User.erased_at.is_not_null())


async def test_the_retention_period_is_a_setting_with_a_clear_message(
    board: Personas, client: Client
) -> None:
    await client.login(board.ada.email)
    form = {"name": "Acme", "language": "en", "digest_weekday": "0", "digest_hour": "8",
            "time_zone": "UTC", "erase_after_days": "soon"}  # fmt: skip
    refused = await client.post("/admin", form)
    assert refused.status_code == 422
    assert "Write a number of days" in page_text(refused.text)
    assert 'value="soon"' in refused.text
    assert (await client.post("/admin", {**form, "erase_after_days": "365"})).status_code == 303
    assert (await organisation.get_organisation()).erase_deactivated_after_days == 365


async def test_erase_on_the_command_line(
    board: Personas, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    unknown = cli(database_url, tmp_path, "erase", "--email", "nobody@example.com", "--yes")
    assert unknown.returncode == 2
    assert "Nobody on the board has the address nobody@example.com." in unknown.stderr
    done = cli(database_url, tmp_path, "erase", "--email", board.otto.email, "--yes")
    assert done.returncode == 0, done.stderr
    pseudonym = done.stdout.strip().splitlines()[-1]
    assert pseudonym.startswith("erased-")
