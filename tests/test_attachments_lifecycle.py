"""What happens to pictures and files after they are sent: comments, edits, moderators
removing and restoring them, limits, erasure, the admin export, backups and
`ideaboard check`; on both databases, the stores where it matters."""

from __future__ import annotations

import dataclasses
import io
import tarfile
import zipfile
from datetime import timedelta
from typing import Any

import pytest

import sample_files
from conftest import Client, Personas, make_idea, page_text
from ideaboard.backup import backup, files_archive, restore
from ideaboard.checks import check_store
from ideaboard.mail.mailer import Mailer
from ideaboard.services import erasure, file_keeping, moderation, personal_data
from ideaboard.services.clock import now
from ideaboard.settings import Settings
from ideaboard.storage import open_store
from ideaboard.tables import Attachment, AuditEntry, DataRequest, Idea
from s3_server import S3Server, running_s3


@pytest.fixture(scope="session")
def s3() -> Any:
    with running_s3() as server:
        yield server


def upload(name: str, data: bytes) -> Any:
    return ("files", (name, data, "application/octet-stream"))


async def keys(**where: Any) -> list[str]:
    query = Attachment.select(Attachment.key).order_by(Attachment.id)
    for column, value in where.items():
        query = query.where(getattr(Attachment, column) == value)
    return [row["key"] for row in await query]


async def stored(settings: Settings, key: str) -> bool:
    store = open_store(settings.storage_url, settings.data_dir)
    return await store.get(f"{key}/web") is not None or await store.get(f"{key}/file") is not None


async def test_comment_files_with_htmx_and_gone_with_the_comment(
    client: Client, board: Personas, settings: Settings
) -> None:
    idea_id = await make_idea(board.otto, board.operations)
    await client.login("mia@example.com")
    response = await client.post(
        f"/ideas/{idea_id}/comments", {"body": "Like this one"}, htmx=True,
        files=[upload("rack.png", sample_files.png()), upload("offer.pdf", sample_files.pdf())],
    )  # fmt: skip
    assert response.status_code == 200
    picture, document = await keys(idea=idea_id)
    assert f'src="/files/{picture}/thumb"' in response.text
    assert "offer.pdf" in page_text(response.text)
    too_many = await client.post(
        f"/ideas/{idea_id}/comments", {"body": "Four"},
        files=[upload(f"{n}.png", sample_files.png()) for n in range(4)],
    )  # fmt: skip
    assert too_many.status_code == 422
    assert "At most 3 files can be attached here." in page_text(too_many.text)
    assert too_many.text.count('name="attachment"') == 3  # the three that fit are kept
    comment_id = (await Attachment.select(Attachment.comment).where(Attachment.key == picture))[0]
    await client.post(f"/comments/{comment_id['comment']}/delete")
    assert await keys(idea=idea_id) == []
    assert not await stored(settings, picture) and not await stored(settings, document)


async def test_moderators_remove_and_restore_a_picture(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    response = await client.post(
        "/ideas", {"title": "Dock lights", "body": "Dark at 6", "department_id": board.operations},
        files=[upload("dock.png", sample_files.png()), upload("dock2.png", sample_files.png())],
    )  # fmt: skip
    idea_id = int(response.headers["location"].rsplit("/", 1)[1])
    first, second = await keys(idea=idea_id)
    assert (await Idea.select(Idea.cover).where(Idea.id == idea_id))[0]["cover"] == first
    assert (await client.post(f"/files/{first}/remove")).status_code == 403
    await client.logout()
    await client.login("mo@example.com")
    removed = await client.post(f"/files/{first}/remove")
    assert removed.status_code == 303
    page = await client.get(f"/ideas/{idea_id}")
    assert "Removed by a moderator" in page_text(page.text)
    assert (await client.get(f"/files/{first}")).status_code == 200  # moderators still see it
    assert (await Idea.select(Idea.cover).where(Idea.id == idea_id))[0]["cover"] == second
    assert await AuditEntry.count().where(AuditEntry.action == "file.remove") == 1
    await client.logout()
    await client.login("otto@example.com")
    assert (await client.get(f"/files/{first}")).status_code == 404
    assert first not in (await client.get(f"/ideas/{idea_id}")).text
    await client.logout()
    await client.login("mo@example.com")
    await client.post(f"/files/{first}/restore")
    await client.logout()
    await client.login("otto@example.com")
    assert (await client.get(f"/files/{first}")).status_code == 200


async def test_the_author_adds_and_takes_off_files_when_editing(
    client: Client, board: Personas, settings: Settings
) -> None:
    await client.login("mia@example.com")
    response = await client.post(
        "/ideas", {"title": "Canteen menu", "body": "In Danish too", "department_id": board.it},
        files=[upload("menu.png", sample_files.png())],
    )  # fmt: skip
    idea_id = int(response.headers["location"].rsplit("/", 1)[1])
    [old] = await keys(idea=idea_id)
    form = await client.get(f"/ideas/{idea_id}/edit")
    assert "Remove menu.png" in page_text(form.text)
    edited = await client.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Canteen menu", "body": "In Danish too", "department_id": board.it,
         "remove_attachment": old},
        files=[upload("menu-v2.pdf", sample_files.pdf())],
    )  # fmt: skip
    assert edited.status_code == 303
    [new] = await keys(idea=idea_id)
    assert new != old and not await stored(settings, old)
    assert (await Idea.select(Idea.cover).where(Idea.id == idea_id))[0]["cover"] is None
    # Another person's edit form is refused, and so is taking off someone else's file.
    await client.logout()
    await client.login("otto@example.com")
    assert (await client.get(f"/ideas/{idea_id}/edit")).status_code == 403
    refused = await client.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Mine now", "body": "x", "department_id": board.it, "remove_attachment": new},
        files=[upload("otto.png", sample_files.png())],
    )  # fmt: skip
    assert refused.status_code == 403
    # Nothing of Otto's was taken in, and Mia's file stays.
    assert await keys() == [new]
    await moderation.set_idea_hidden(board.mo.actor, idea_id, hidden=True)
    hidden = await client.post(f"/ideas/{idea_id}/comments", {"body": "Hi"},
                               files=[upload("otto.png", sample_files.png())])  # fmt: skip
    assert hidden.status_code == 404
    assert await keys() == [new]


async def test_quota_rate_and_staged_files(
    client: Client, board: Personas, settings: Settings, app: Any
) -> None:
    app.state.settings = dataclasses.replace(settings, upload_quota_mb=0, uploads_per_hour=2)
    await client.login("mia@example.com")
    form = {"title": "T", "body": "", "department_id": board.it}  # refused: no description
    over = await client.post("/ideas", form, files=[upload("a.png", sample_files.png())])
    assert "a.png would take you past your 0 MB of files." in page_text(over.text)
    app.state.settings = dataclasses.replace(settings, uploads_per_hour=2)
    files = [upload(f"{n}.png", sample_files.png()) for n in range(3)]
    limited = await client.post("/ideas", form, files=files)
    assert "You have sent many files in the last hour." in page_text(limited.text)
    staged = await keys()
    assert len(staged) == 2
    # Staged for a form not sent yet: its sender's alone.
    assert (await client.get(f"/files/{staged[0]}")).status_code == 200
    await client.logout()
    await client.login("otto@example.com")
    assert (await client.get(f"/files/{staged[0]}")).status_code == 404
    # A day later nothing took them: cleared, bytes too.
    store = open_store(settings.storage_url, settings.data_dir)
    assert await file_keeping.clear_staged(store) == 0
    await Attachment.update({Attachment.created_at: now() - timedelta(days=2)}).where(
        Attachment.idea.is_null()
    )
    assert await file_keeping.clear_staged(store) == 2
    assert not await stored(settings, staged[0])


async def test_admins_see_what_the_store_holds(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    await client.post(
        "/ideas", {"title": "Dock", "body": "Lights", "department_id": board.it},
        files=[upload("dock.png", sample_files.png())],
    )  # fmt: skip
    await client.logout()
    await client.login("ada@example.com")
    page = page_text((await client.get("/admin/data")).text)
    assert "1 file," in page and "Mia Member" in page and "Of their quota" in page


@pytest.mark.parametrize("remove_content", [False, True])
async def test_erasure_takes_their_files(
    client: Client, board: Personas, settings: Settings, remove_content: bool
) -> None:
    idea_id = await make_idea(board.otto, board.operations)
    await client.login("mia@example.com")
    await client.post(
        f"/ideas/{idea_id}/comments", {"body": "Photo"},
        files=[upload("Mia Member at the dock.png", sample_files.png())],
    )  # fmt: skip
    await client.post("/ideas", {"title": "", "body": "x", "department_id": board.it},
                      files=[upload("left.png", sample_files.png())])  # fmt: skip
    attached, left = await keys()
    erased = await erasure.erase_person(
        board.ada.actor, board.mia.id, remove_content=remove_content
    )
    store = open_store(settings.storage_url, settings.data_dir)
    await erased.tidy(Mailer.from_settings(settings), settings.data_dir, store)
    assert not await stored(settings, left)
    if remove_content:
        assert await keys() == [] and not await stored(settings, attached)
    else:
        [row] = await Attachment.select(Attachment.file_name)
        assert row["file_name"] == "Former colleague at the dock.png"
        assert await stored(settings, attached)


async def test_the_export_carries_the_files(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    await client.post(
        "/ideas", {"title": "Dock", "body": "Lights", "department_id": board.it},
        files=[upload("plan.pdf", sample_files.pdf())],
    )  # fmt: skip
    await client.logout()
    await client.login("ada@example.com")
    response = await client.get("/admin/data/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    [key] = await keys()
    assert archive.read(f"files/{key}/plan.pdf") == sample_files.pdf()
    assert "plan.pdf" in archive.read("attachments.csv").decode("utf-8-sig")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_backup_keeps_the_pictures_and_restore_brings_them_back(
    client: Client, board: Personas, settings: Settings
) -> None:
    await client.login("mia@example.com")
    await client.post(
        "/ideas", {"title": "Dock", "body": "Lights", "department_id": board.it},
        files=[upload("dock.png", sample_files.png())],
    )  # fmt: skip
    [key] = await keys()
    target = backup(settings, settings.data_dir / "backups" / "board.sqlite3")
    with tarfile.open(files_archive(target)) as tar:
        assert f"files/{key}/web" in tar.getnames()
    for path in (settings.data_dir / "files").rglob("*"):
        if path.is_file():
            path.unlink()
    restore(settings, target, force=True)
    assert await stored(settings, key)


async def test_check_writes_reads_and_deletes_in_the_store(
    settings: Settings, s3: S3Server
) -> None:
    assert (await check_store(settings)).ok
    good = dataclasses.replace(settings, storage_url=s3.storage_url(s3.new_bucket()))
    finding = await check_store(good)
    assert finding.ok and "kept in s3://board-" in finding.detail
    missing = dataclasses.replace(settings, storage_url=s3.storage_url("no-such-bucket"))
    assert not (await check_store(missing)).ok


async def test_download_my_data_holds_the_files_i_sent(
    client: Client, board: Personas, settings: Settings
) -> None:
    await client.login("mia@example.com")
    await client.post(
        "/ideas", {"title": "Dock", "body": "Lights", "department_id": board.it},
        files=[upload("dock.png", sample_files.png())],
    )  # fmt: skip
    [key] = await keys()
    await personal_data.ask(board.mia.actor)
    store = open_store(settings.storage_url, settings.data_dir)
    assert await personal_data.make_waiting(settings.data_dir, store) == 1
    [request] = await DataRequest.select(DataRequest.file_name)
    path = personal_data.exports_dir(settings.data_dir) / request["file_name"]
    with zipfile.ZipFile(path) as archive:
        assert f"files/{key}/dock.png" in archive.namelist()
        assert "dock.png" in archive.read("files.csv").decode("utf-8-sig")
