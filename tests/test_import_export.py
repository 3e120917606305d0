"""The whole board out (`ideaboard export`) and back in, and the other tools' exports in:
Fider's posts.csv and backup zip, UserVoice's CSV, and our CSV template. Files are
written here from each format's documented columns, with what real ones hold: unicode,
commas and line breaks inside quoted fields, missing columns, unknown statuses, people
without an address."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from conftest import Client, Personas, make_idea, page_text
from ideaboard.domain import Status
from ideaboard.imports.fider import read_fider
from ideaboard.imports.own import read_export, read_template
from ideaboard.imports.uservoice import read_uservoice
from ideaboard.services import comments, exporting, merges, moderation, status_updates, votes
from ideaboard.services.importing import run_import
from ideaboard.tables import (
    AuditEntry,
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
from test_scim_compliance import cli

GENERAL = "General"


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


async def snapshot() -> dict[str, Any]:
    """The board as its people know it, without ids: what a round trip must keep."""
    emails = {row["id"]: row["email"] for row in await User.select(User.id, User.email)}
    names = {row["id"]: row["name"] for row in await Department.select()}
    titles = {row["id"]: row["title"] for row in await Idea.select(Idea.id, Idea.title)}
    ideas = {}
    for row in await Idea.select().order_by(Idea.id):
        ideas[row["title"]] = {
            "body": row["body"], "status": row["status"], "author": emails[row["author"]],
            "department": names[row["department"]], "anonymous": bool(row["anonymous"]),
            "hidden": bool(row["hidden"]), "approval": row["approval"],
            "votes": row["vote_count"], "comment_count": row["comment_count"],
            "merged_into": titles.get(row["merged_into"]),
            "voters": sorted(emails[v["voter"]] for v in await Vote.select().where(
                Vote.idea == row["id"])),
            "comments": sorted((emails[c["author"]], c["body"], bool(c["hidden"]))
                               for c in await Comment.select().where(Comment.idea == row["id"])),
            "updates": [(u["from_status"], u["to_status"], emails[u["author"]], u["message"])
                        for u in await StatusChange.select().where(
                            StatusChange.idea == row["id"]).order_by(StatusChange.created_at)],
        }  # fmt: skip
    merged = sorted(
        (titles[m["duplicate"]], titles[m["target"]])
        for m in await Merge.select().where(Merge.undone_at.is_null())
    )
    return {"ideas": ideas, "merges": merged}


async def empty_the_board(keep: int) -> None:
    """Everything but the board, its departments and one admin: a board just set up."""
    await Idea.update({Idea.merged_into: None}, force=True)
    await Idea.delete(force=True)
    await User.delete().where(User.id != keep)


async def test_export_then_import_into_an_empty_board_gives_the_same_board(
    board: Personas, tmp_path: Path
) -> None:
    calendar = await make_idea(board.mia, board.operations, "Shared calendar, for the docks")
    dup = await make_idea(board.otto, board.operations, "Dock calendar (again)")
    quiet = await make_idea(board.otto, board.it, '=HYPERLINK("http://x") printers')
    for person in (board.otto, board.ada, board.mo):
        await votes.set_vote(person.actor, calendar, voted=True)
    await votes.set_vote(board.mia.actor, dup, voted=True)
    await comments.add_comment(
        board.otto.actor, calendar, comments.CommentInput(body="Yes,\nplease")
    )
    await status_updates.update_status(
        board.ada.actor, calendar,
        status_updates.StatusUpdateInput(status="planned", message="In **May**"),
    )  # fmt: skip
    await merges.merge_ideas(board.ada.actor, dup, f"#{calendar}")
    await moderation.set_idea_hidden(board.mo.actor, quiet, hidden=True, reason="Off topic")
    before = await snapshot()

    export = await exporting.export_board(board.ada.actor)
    target = tmp_path / "board.zip"
    exporting.write_zip(export, target, delimiter=";")
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        ideas_csv = archive.read("ideas.csv").decode("utf-8")
    assert {"board.json", "ideas.csv", "votes.csv", "people.csv", "merges.csv"} <= names
    assert ideas_csv.startswith("\ufeffid;title;")
    assert "\r\n" in ideas_csv
    titles = [row[1] for row in csv.reader(io.StringIO(ideas_csv[1:], newline=""), delimiter=";")]
    assert '\'=HYPERLINK("http://x") printers' in titles  # a formula is text in a spreadsheet

    await empty_the_board(keep=board.ada.id)
    report = await run_import(read_export(target.read_bytes()))
    assert report.problems == []
    assert (report.ideas, report.votes, report.merges) == (3, 4, 1)
    assert await snapshot() == before
    placeholders = await User.select(User.email, User.active, User.placeholder).where(
        User.id != board.ada.id
    )
    assert {row["email"] for row in placeholders} == {board.mia.email, board.otto.email,
                                                      board.mo.email}  # fmt: skip
    assert not any(row["active"] for row in placeholders)
    again = await run_import(read_export(target.read_bytes()))
    assert (again.ideas, again.already_imported) == (0, 3)
    assert await snapshot() == before


FIDER_HEADER = ["number", "title", "description", "created_at", "created_by", "votes_count",
                "comments_count", "status", "responded_by", "responded_at", "response",
                "original_number", "original_title", "tags"]  # fmt: skip


def fider_posts() -> bytes:
    return csv_bytes([
        FIDER_HEADER,
        ["1", "Kantinen: flere vegetarretter", "Mange ønsker \"grønne\" dage,\nogså om fredagen.",
         "2023-03-01T09:15:00Z", "Søren Ågård", "12", "3", "started", "Åse Berg",
         "2023-04-02T10:00:00Z", "Vi tester det i april, se plan.", "", "", "Kantine, HR"],
        ["2", "Flere grønne retter i kantinen", "Samme som #1", "2023-03-05T10:00:00Z",
         "Mette Hansen", "1", "0", "duplicate", "Åse Berg", "2023-03-06T08:00:00Z", "",
         "1", "Kantinen: flere vegetarretter", "Kantine"],
        ["3", "Cykelparkering ved lager 2", "", "2023-05-01T12:00:00+02:00", "Søren Ågård",
         "4", "0", "Parked", "", "", "", "", "", ""],
    ])  # fmt: skip


async def test_fider_posts_csv(board: Personas) -> None:
    batch = read_fider(fider_posts(), statuses={}, default_department=GENERAL)
    report = await run_import(batch)
    assert report.problems == []
    assert (report.ideas, report.votes, report.merges, report.people_new) == (3, 0, 1, 3)
    assert sorted(report.departments_new) == [GENERAL, "Kantine"]
    warnings = [str(w) for w in report.warnings]
    assert "line 5: the status 'Parked' is unknown: imported as New" in warnings
    assert any("counts 17 votes but not who cast them" in w for w in warnings)
    rows = {r["title"]: r for r in await Idea.select().order_by(Idea.id)}
    first = rows["Kantinen: flere vegetarretter"]
    assert first["status"] == Status.IN_PROGRESS
    assert first["body"] == 'Mange ønsker "grønne" dage,\nogså om fredagen.'
    assert rows["Flere grønne retter i kantinen"]["merged_into"] == first["id"]
    assert rows["Flere grønne retter i kantinen"]["status"] == Status.DUPLICATE
    update = await StatusChange.select().where(StatusChange.idea == first["id"]).first()
    assert update["message"] == "Vi tester det i april, se plan."
    authors = await User.select(User.name, User.active, User.placeholder).where(
        User.name.is_in(["Søren Ågård", "Åse Berg", "Mette Hansen"])
    )
    assert len(authors) == 3 and not any(a["active"] for a in authors)
    again = await run_import(read_fider(fider_posts(), statuses={}, default_department=GENERAL))
    assert (again.ideas, again.people_new, again.already_imported) == (0, 0, 3)
    assert await Idea.count() == 3


async def test_a_bad_row_stops_the_whole_import_and_says_its_line(board: Personas) -> None:
    data = csv_bytes([
        FIDER_HEADER,
        ["1", "A fine idea", "multi\nline\ndescription", "2023-03-01T09:15:00Z", "Ann", "0",
         "0", "open", "", "", "", "", "", ""],
        ["2", "", "no title", "2023-03-01T09:15:00Z", "Bo", "0", "0", "open", "", "", "", "",
         "", ""],
        ["3", "Bad date", "", "yesterday", "Bo", "0", "0", "open", "", "", "", "", "", ""],
    ])  # fmt: skip
    report = await run_import(read_fider(data, statuses={}, default_department=GENERAL))
    assert [str(p) for p in report.problems] == [
        "line 5: the title is empty",
        "line 6: 'yesterday' is not a date and time",
    ]
    assert await Idea.count() == 0
    assert await User.count() == 4  # the board's own people: no placeholder was left behind


def fider_backup() -> bytes:
    tables: dict[str, list[dict[str, Any]]] = {
        "users": [
            {"id": 1, "name": "Søren Ågård", "email": "soren@example.com", "role": 3,
             "status": 1, "created_at": "2022-01-01T00:00:00Z"},
            {"id": 2, "name": "Guest without email", "email": "", "role": 1, "status": 1,
             "created_at": "2022-01-02T00:00:00Z"},
            {"id": 3, "name": "Mia Member", "email": "MIA@example.com", "role": 1, "status": 1,
             "created_at": "2022-01-03T00:00:00Z"},
        ],
        "posts": [
            {"id": 10, "number": 1, "title": "Quiet room, please", "description": "Open plan,\n"
             "loud", "user_id": 1, "created_at": "2023-01-01T10:00:00.123456Z", "status": 4,
             "response": "Planned for Q3", "response_user_id": 1,
             "response_date": "2023-02-01T10:00:00Z", "original_id": None},
            {"id": 11, "number": 2, "title": "A quiet room", "description": "", "user_id": 2,
             "created_at": "2023-01-02T10:00:00Z", "status": 5, "response": None,
             "response_user_id": 1, "response_date": "2023-01-03T10:00:00Z", "original_id": 10},
            {"id": 12, "number": 3, "title": "Spam", "description": "", "user_id": 2,
             "created_at": "2023-01-04T10:00:00Z", "status": 6, "original_id": None},
        ],
        "post_votes": [
            {"post_id": 10, "user_id": 1, "created_at": "2023-01-01T10:00:00Z"},
            {"post_id": 10, "user_id": 2, "created_at": "2023-01-01T11:00:00Z"},
            {"post_id": 10, "user_id": 3, "created_at": "2023-01-01T12:00:00Z"},
            {"post_id": 11, "user_id": 2, "created_at": "2023-01-02T10:00:00Z"},
        ],
        "comments": [
            {"id": 5, "post_id": 10, "user_id": 3, "content": "Yes, with plants 🌱",
             "created_at": "2023-01-05T10:00:00Z", "deleted_at": None},
            {"id": 6, "post_id": 10, "user_id": 2, "content": "removed", "deleted_at":
             "2023-01-06T10:00:00Z", "created_at": "2023-01-05T11:00:00Z"},
        ],
        "tags": [{"id": 1, "name": "Facilities", "slug": "facilities"}],
        "post_tags": [{"post_id": 10, "tag_id": 1}, {"post_id": 11, "tag_id": 1}],
    }  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, rows in tables.items():
            archive.writestr(f"{name}.json", json.dumps(rows))
    return out.getvalue()


async def test_fider_backup_zip_brings_votes_comments_and_people(board: Personas) -> None:
    report = await run_import(read_fider(fider_backup(), statuses={}, default_department=GENERAL))
    assert report.problems == []
    assert (report.ideas, report.votes, report.comments, report.merges) == (3, 4, 1, 1)
    assert (report.people_known, report.people_new) == (1, 2)  # Mia is on the board already
    quiet = await Idea.select().where(Idea.title == "Quiet room, please").first()
    assert (quiet["status"], quiet["vote_count"], quiet["comment_count"]) == ("planned", 3, 1)
    mia_vote = await Vote.exists().where(Vote.idea == quiet["id"], Vote.voter == board.mia.id)
    assert mia_vote
    spam = await Idea.select().where(Idea.title == "Spam").first()
    assert spam["hidden"]  # Fider's deleted posts are hidden here
    assert await Subscription.exists().where(
        Subscription.idea == quiet["id"], Subscription.account == board.mia.id
    )
    assert (await run_import(read_fider(fider_backup(), statuses={},
                                        default_department=GENERAL))).ideas == 0  # fmt: skip


def uservoice_full_export() -> bytes:
    header = ["ID", "Title", "Forum Name", "Status", "Labels", "Parent ID", "Created Time",
              "Creator Email", "Voter Email", "Voter Name"]  # fmt: skip
    return csv_bytes([
        header,
        ["901", "Mobile app for expenses", "Finance", "under review", "mobile, expenses",
         "", "2021-06-01 08:00:00 UTC", "lars@example.com", "lars@example.com", "Lars"],
        ["901", "Mobile app for expenses", "Finance", "under review", "mobile, expenses",
         "", "2021-06-01 08:00:00 UTC", "lars@example.com", "mia@example.com", "Mia"],
        ["902", "Expenses on the phone", "Finance", "Merged", "", "901",
         "2021-06-02 09:30:00 UTC", "", "", ""],
        ["903", "Månedlig løn-oversigt", "", "completed", "Løn, HR", "",
         "2021-07-01 10:00:00 UTC", "kirsten@example.com", "kirsten@example.com", "Kirsten"],
    ], delimiter=";", bom=True)  # fmt: skip


async def test_uservoice_full_export_one_row_per_voter(board: Personas) -> None:
    batch = read_uservoice(
        uservoice_full_export(), statuses={"merged": Status.DUPLICATE}, default_department=GENERAL
    )
    report = await run_import(batch)
    assert report.problems == [] and report.warnings == []
    assert (report.ideas, report.votes, report.merges) == (3, 3, 1)
    assert sorted(report.departments_new) == ["Finance", "Løn"]
    app = await Idea.select().where(Idea.title == "Mobile app for expenses").first()
    assert (app["status"], app["vote_count"]) == ("under_review", 2)
    assert app["created_at"].isoformat().startswith("2021-06-01T08:00:00")
    merged = await Idea.select().where(Idea.title == "Expenses on the phone").first()
    assert merged["merged_into"] == app["id"]


def template(rows: int) -> bytes:
    header = ["id", "title", "description", "department", "author_email", "author_name",
              "created_at", "status", "status_message", "voters", "duplicate_of"]  # fmt: skip
    body = [
        [f"S-{n}", f"Idea number {n}, with a comma", f"Line one\nline two of {n}",
         ("Operations", "IT", "Sales")[n % 3], f"person{n % 50}@example.com", "",
         "2024-01-01T00:00:00Z", ("new", "planned", "done", "Parked")[n % 4],
         "We looked at it" if n % 4 else "", f"person{(n + 1) % 50}@example.com;"
         f" person{(n + 2) % 50}@example.com", "S-0" if n % 1000 == 999 else ""]
        for n in range(rows)
    ]  # fmt: skip
    return csv_bytes([header, *body])


async def test_a_10000_row_spreadsheet_imports_once(board: Personas) -> None:
    report = await run_import(read_template(template(10_000), statuses={},
                                            default_department=GENERAL))  # fmt: skip
    assert report.problems == []
    assert (report.ideas, report.votes, report.merges, report.people_new) == (10_000, 20_000,
                                                                               10, 50)  # fmt: skip
    assert len(report.warnings) == 2500  # "Parked" is none of ours: said, and New
    assert await Idea.count() == 10_000
    assert await ImportKey.count() == 10_000
    again = await run_import(read_template(template(10_000), statuses={},
                                           default_department=GENERAL))  # fmt: skip
    assert (again.ideas, again.already_imported) == (0, 10_000)
    assert await Idea.count() == 10_000


async def test_the_template_without_optional_columns(board: Personas) -> None:
    data = csv_bytes([["Title", "Author Email"], ["Only a title", "new.person@example.com"]])
    report = await run_import(read_template(data, statuses={}, default_department="Operations"))
    assert report.problems == [] and report.ideas == 1
    idea = await Idea.select().first()
    assert idea["department"] == board.operations
    missing = await run_import(read_template(csv_bytes([["name"], ["x"]]), statuses={},
                                             default_department=GENERAL))  # fmt: skip
    assert [str(p) for p in missing.problems] == [
        "line 1: the header has no title column: it has name"
    ]


async def test_dry_run_on_the_command_line_writes_nothing(
    board: Personas, database_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "posts.csv"
    path.write_bytes(fider_posts())
    dry = cli(database_url, tmp_path, "import", "fider", str(path), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Would import 3 ideas, 0 votes, 0 comments, 2 status updates and 1 merges." in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    assert await Idea.count() == 0
    mapping = tmp_path / "departments.txt"
    mapping.write_text("Kantine = Operations\n")
    real = cli(database_url, tmp_path, "import", "fider", str(path), "--departments",
               str(mapping), "--status", "parked=under_review")  # fmt: skip
    assert real.returncode == 0, real.stderr
    assert "Parked" not in real.stdout  # mapped: no warning
    assert await Idea.count().where(Idea.department == board.operations) == 2
    exported = cli(database_url, tmp_path, "export", str(tmp_path / "out.zip"))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip().splitlines()[-1] == str(tmp_path / "out.zip")
    bad = cli(database_url, tmp_path, "import", "csv", str(tmp_path / "missing.csv"))
    assert bad.returncode == 2 and "There is no file at" in bad.stderr


async def test_admins_import_and_export_at_admin_data(board: Personas, client: Client) -> None:
    await client.login(board.mia.email)
    assert (await client.get("/admin/data")).status_code == 403
    upload = {"file": ("posts.csv", fider_posts(), "text/csv")}
    refused = await client.post("/admin/data/import", {"source": "fider"}, files=upload)
    assert refused.status_code == 403
    await client.logout()
    await client.login(board.ada.email)
    assert "Import ideas" in (await client.get("/admin/data")).text

    form = {"source": "fider", "departments": "Kantine = Operations", "check_only": "1",
            "default_department": "General", "statuses": "parked = under_review"}  # fmt: skip
    checked = await client.post("/admin/data/import", form, files=upload)
    assert checked.status_code == 200
    assert "The file is fine. Importing it would bring: 3 ideas" in page_text(checked.text)
    assert await Idea.count() == 0

    missing = await client.post("/admin/data/import", form)
    assert missing.status_code == 422
    assert "Choose the file to import." in page_text(missing.text)
    assert "Kantine = Operations</textarea>" in missing.text  # what they typed stays

    bad = csv_bytes([FIDER_HEADER, ["1", "", "x", "2023-03-01T09:15:00Z", "Ann", "0", "0",
                                    "open", "", "", "", "", "", ""]])  # fmt: skip
    refused_file = await client.post("/admin/data/import", {**form, "check_only": ""},
                                     files={"file": ("posts.csv", bad, "text/csv")})  # fmt: skip
    assert refused_file.status_code == 422
    assert "line 2: the title is empty" in page_text(refused_file.text)
    assert await Idea.count() == 0

    done = await client.post("/admin/data/import", {**form, "check_only": ""}, files=upload)
    assert done.status_code == 200
    assert "Imported: 3 ideas" in page_text(done.text)
    assert await Idea.count().where(Idea.department == board.operations) == 2
    people = page_text((await client.get("/admin/users?q=Søren")).text)
    assert "Søren Ågård" in people and "Imported: waits for them to sign up or sign in" in people

    download = await client.get("/admin/data/export.zip?delimiter=;")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.read("ideas.csv").decode().startswith("\ufeffid;title;")
    audit = await AuditEntry.select(AuditEntry.action).where(
        AuditEntry.action.is_in(["board.import", "board.export"])
    )
    assert sorted(row["action"] for row in audit) == ["board.export", "board.import"]


async def test_the_board_as_its_reader_sees_it_as_csv(board: Personas, client: Client) -> None:
    shown = await make_idea(board.otto, board.operations, "@SUM(1) parking")
    await make_idea(board.otto, board.it, "Printers on floor 2")
    hidden = await make_idea(board.otto, board.operations, "Hidden by a moderator")
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="Spam")
    await client.login(board.mia.email)
    page = await client.get(f"/?department={board.operations}")
    link = f"/ideas.csv?department={board.operations}"
    assert f'href="{link}"' in page.text.replace("&amp;", "&")
    answer = await client.get(link + "&delimiter=%3B")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.text.lstrip("\ufeff"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["id", "title", "status"]
    assert [row[1] for row in rows[1:]] == ["'@SUM(1) parking"]  # the filter, and nothing hidden
    assert rows[1][0] == str(shown) and rows[1][-1].endswith(f"/ideas/{shown}")
