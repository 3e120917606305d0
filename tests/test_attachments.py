"""Pictures and files on ideas and comments, with real files: a phone photo with GPS, a
decompression bomb, an SVG with a script, a PNG/HTML polyglot, a file that lies about
its type, one too large; served only to those who may see their idea. On both databases
and both stores: the data directory and a real S3 server (moto's server mode)."""

from __future__ import annotations

import dataclasses
import io
import re
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image, ImageOps

import sample_files
from conftest import Client, Personas, page_text
from ideaboard.services import moderation
from ideaboard.settings import Settings
from ideaboard.tables import Attachment, Idea
from s3_server import S3Server, running_s3

STORES = ("directory", "s3")


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    with running_s3() as server:
        yield server


@pytest.fixture(params=STORES)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(settings: Settings, store_kind: str, request: pytest.FixtureRequest) -> Settings:
    """The suite's settings, with files in the data directory or in a new S3 bucket."""
    if store_kind == "directory":
        return settings
    s3: S3Server = request.getfixturevalue("s3")
    bucket = s3.new_bucket()
    return dataclasses.replace(settings, storage_url=s3.storage_url(bucket))


def stored_bytes(settings: Settings, request: pytest.FixtureRequest) -> list[bytes]:
    """Every file the store holds, read around the board."""
    if not settings.storage_url:
        root = settings.data_dir / "files"
        return [path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()]
    s3: S3Server = request.getfixturevalue("s3")
    bucket = settings.storage_url.split("/")[2]
    return [s3.read(bucket, key) for key in s3.keys(bucket)]


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return ("files", (name, data, content_type))


async def post_idea(
    client: Client,
    board: Personas,
    files: list[Any],
    title: str = "Covered bike racks",
    **more: str,
) -> Any:
    form = {"title": title, "body": "The racks by gate 2 are in the rain.",
            "department_id": str(board.operations), **more}  # fmt: skip
    return await client.post("/ideas", form, files=files)


async def attachment_keys(**where: Any) -> list[str]:
    query = Attachment.select(Attachment.key).order_by(Attachment.id)
    for column, value in where.items():
        query = query.where(getattr(Attachment, column) == value)
    return [row["key"] for row in await query]


async def test_a_phone_photo_is_served_upright_without_its_gps(
    client: Client, board: Personas, settings: Settings, request: pytest.FixtureRequest
) -> None:
    original = sample_files.photo_with_gps()
    assert sample_files.SERIAL.encode() in original and b"GPS" not in original[:2]  # sanity
    await client.login("mia@example.com")
    response = await post_idea(client, board, [upload("IMG_2041.JPG", original, "image/jpeg")])
    assert response.status_code == 303, response.text
    idea_id = int(response.headers["location"].rsplit("/", 1)[1])
    [key] = await attachment_keys(idea=idea_id)
    page = await client.get(f"/ideas/{idea_id}")
    assert f'src="/files/{key}/thumb"' in page.text
    assert f'href="/files/{key}"' in page.text
    assert "Picture: IMG_2041.JPG" in page.text

    served = await client.get(f"/files/{key}")
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert served.headers["content-disposition"].startswith("inline;")
    assert served.headers["cache-control"].startswith("private")
    picture = Image.open(io.BytesIO(served.content))
    assert dict(picture.getexif()) == {}
    assert b"Exif" not in served.content and sample_files.SERIAL.encode() not in served.content
    # Upright: stored 400 by 200 and turned a quarter clockwise, as the phone showed it.
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))
    assert picture.size == expected.size == (200, 400)
    for point in ((100, 20), (100, 380)):
        got, want = picture.convert("RGB").getpixel(point), expected.getpixel(point)
        assert all(abs(a - b) < 40 for a, b in zip(got, want, strict=True)), (point, got, want)

    thumb = Image.open(io.BytesIO((await client.get(f"/files/{key}/thumb")).content))
    assert max(thumb.size) <= 480 and dict(thumb.getexif()) == {}
    # Nothing the store keeps has the position or the serial number either.
    for data in stored_bytes(settings, request):
        assert sample_files.SERIAL.encode() not in data and b"GPS" not in data
    # The board's card shows the thumbnail.
    board_page = await client.get("/")
    assert f'src="/files/{key}/thumb"' in board_page.text


async def test_files_that_are_not_pictures_or_documents_are_refused(
    client: Client, board: Personas, settings: Settings, request: pytest.FixtureRequest
) -> None:
    await client.login("mia@example.com")
    svg = sample_files.SVG_WITH_SCRIPT
    cases = [
        (upload("logo.svg", svg, "image/svg+xml"), "logo.svg cannot be attached"),
        (upload("photo.jpg", sample_files.HTML_PAGE, "image/jpeg"), "photo.jpg cannot be attached"),
        (upload("huge.png", sample_files.png_bomb(), "image/png"), "huge.png has too many pixels"),
        (upload("scan.png", sample_files.large_png(), "image/png"), "scan.png has too many pixels"),
    ]
    for file, message in cases:
        response = await post_idea(client, board, [file], title="Keep this title")
        assert response.status_code == 422, (message, response.status_code)
        assert message in page_text(response.text)
        assert 'value="Keep this title"' in response.text
        assert "The racks by gate 2 are in the rain." in response.text
    assert await Attachment.count() == 0
    assert await Idea.count() == 0
    assert stored_bytes(settings, request) == []


async def test_a_polyglot_and_a_mislabelled_file_are_served_as_what_they_are(
    client: Client, board: Personas
) -> None:
    await client.login("mia@example.com")
    response = await post_idea(client, board, [
        upload("cat.png", sample_files.png_html_polyglot(), "text/html"),
        upload("report.pdf", sample_files.png(colour="red"), "application/pdf"),
        upload("minutes.docx", sample_files.docx(), "image/png"),
        upload("plan.pdf", sample_files.pdf(), "application/pdf"),
    ])  # fmt: skip
    assert response.status_code == 303, response.text
    rows = await Attachment.select().order_by(Attachment.id)
    assert [(r["file_name"], r["kind"], r["content_type"]) for r in rows] == [
        ("cat.png", "image", "image/png"),
        ("report.png", "image", "image/png"),
        ("minutes.docx", "file", "application/vnd.openxmlformats-officedocument"),
        ("plan.pdf", "file", "application/pdf"),
    ]
    cat = await client.get(f"/files/{rows[0]['key']}")
    assert b"<script" not in cat.content and b"<html" not in cat.content
    Image.open(io.BytesIO(cat.content)).verify()
    plan = await client.get(f"/files/{rows[3]['key']}")
    assert plan.content == sample_files.pdf()
    assert plan.headers["content-disposition"] == "attachment; filename*=UTF-8''plan.pdf"
    assert plan.headers["content-security-policy"] == "default-src 'none'; sandbox"
    assert plan.headers["x-content-type-options"] == "nosniff"
    page = await client.get(f"/ideas/{rows[0]['idea']}")
    text = page_text(page.text)
    assert "minutes.docx" in text and "plan.pdf" in text
    assert (await client.get(f"/files/{rows[3]['key']}/thumb")).status_code == 404


async def test_a_file_too_large_answers_413_and_keeps_the_form_and_the_good_files(
    client: Client, board: Personas, settings: Settings, app: Any
) -> None:
    app.state.settings = dataclasses.replace(settings, upload_max_mb=1)
    await client.login("mia@example.com")
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    response = await post_idea(client, board, [
        upload("dock.png", sample_files.png(), "image/png"),
        upload("drawings.pdf", big, "application/pdf"),
    ], title="Big drawings")  # fmt: skip
    assert response.status_code == 413
    assert "drawings.pdf is larger than 1 MB." in page_text(response.text)
    assert 'value="Big drawings"' in response.text
    [kept] = await attachment_keys()
    assert f'name="attachment" value="{kept}" checked' in response.text
    # Sent again with the kept picture ticked: the idea takes it.
    again = await post_idea(client, board, [], title="Big drawings", attachment=kept)
    assert again.status_code == 303
    idea_id = int(again.headers["location"].rsplit("/", 1)[1])
    assert await attachment_keys(idea=idea_id) == [kept]


async def test_a_body_past_every_limit_is_refused_with_a_sentence(
    client: Client, board: Personas, settings: Settings, app: Any
) -> None:
    app.state.settings = dataclasses.replace(settings, upload_max_mb=1, files_per_idea=1,
                                             files_per_comment=1)  # fmt: skip
    await client.login("mia@example.com")
    response = await post_idea(client, board, [upload("a.pdf", b"%PDF-" + b"0" * 3 * 1024 * 1024)])
    assert response.status_code == 413
    assert "These files are too large to send: at most 1 MB each." in page_text(response.text)


async def test_a_hidden_ideas_pictures_answer_404_to_others(
    client: Client, board: Personas
) -> None:
    await client.login("mia@example.com")
    response = await post_idea(client, board, [upload("gate.png", sample_files.png())])
    idea_id = int(response.headers["location"].rsplit("/", 1)[1])
    [key] = await attachment_keys(idea=idea_id)
    await client.post(f"/ideas/{idea_id}/comments", {"body": "And the other gate"},
                      files=[upload("gate2.png", sample_files.png(colour="blue"))])  # fmt: skip
    [comment_key] = [k for k in await attachment_keys(idea=idea_id) if k != key]
    await moderation.set_idea_hidden(board.mo.actor, idea_id, hidden=True, reason="Duplicate")

    for url in (f"/files/{key}", f"/files/{key}/thumb", f"/files/{comment_key}"):
        assert (await client.get(url)).status_code == 200  # the author still sees it
    await client.logout()
    await client.login("otto@example.com")
    for url in (f"/files/{key}", f"/files/{key}/thumb", f"/files/{comment_key}"):
        assert (await client.get(url)).status_code == 404
    assert key not in (await client.get("/")).text
    # Waiting for a moderator (pre-moderation) hides it the same way.
    await Idea.update({Idea.hidden: False, Idea.approval: "pending"}).where(Idea.id == idea_id)
    assert (await client.get(f"/files/{key}")).status_code == 404
    await client.logout()
    await client.login("mo@example.com")
    assert (await client.get(f"/files/{key}")).status_code == 200
    # Signed out: the sign-in page, never the file.
    await client.logout()
    assert (await client.get(f"/files/{key}")).status_code in (302, 303, 401)


@pytest.mark.parametrize("store_kind", ["directory"])
async def test_the_directory_store_keeps_files_private(
    client: Client, board: Personas, settings: Settings
) -> None:
    await client.login("mia@example.com")
    await post_idea(client, board, [upload("a.png", sample_files.png())])
    root = settings.data_dir / "files"
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == 2  # the web copy and the thumbnail
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for path in (p for p in root.rglob("*") if p.is_dir()):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", p.parent.name) for p in files)
