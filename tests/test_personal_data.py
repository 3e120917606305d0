"""Download my data: everything about a person, as they may see it, fetched once."""

from __future__ import annotations

import io
import json
import re
import zipfile

from conftest import Client, Personas, make_idea
from ideaboard.services import comments, moderation, personal_data, status_updates, votes
from ideaboard.settings import Settings


async def test_people_download_their_data_once(
    board: Personas, client: Client, settings: Settings
) -> None:
    own = await make_idea(board.mia, board.operations, "Night buses for the late shift")
    other = await make_idea(board.otto, board.operations, "A quiet room")
    hidden = await make_idea(board.otto, board.it, "Something a moderator hid")
    await votes.set_vote(board.mia.actor, other, voted=True)
    await votes.set_vote(board.mia.actor, hidden, voted=True)
    await comments.add_comment(board.mia.actor, other, comments.CommentInput(body="Yes, =1+1"))
    await status_updates.update_status(
        board.ada.actor, own, status_updates.StatusUpdateInput(status="planned", message="May")
    )
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="Spam")

    await client.login(board.mia.email)
    before = await client.get("/account")
    assert "Download my data" in before.text
    asked = await client.post("/account/data")
    assert asked.status_code == 303
    page = await client.get("/account")
    link = re.search(r'href="(/account/data/\d+/[0-9a-f]+)"', page.text)
    assert link is not None, "the file was made in the background after the answer"
    assert "The link works once" in page.text

    await client.logout()
    await client.login(board.otto.email)
    assert (await client.get(link.group(1))).status_code == 404  # Mia's alone
    await client.logout()
    await client.login(board.mia.email)
    answer = await client.get(link.group(1))
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        document = json.loads(archive.read("my-data.json"))
        comments_csv = archive.read("comments.csv").decode()
        names = set(archive.namelist())
    assert {"profile.csv", "ideas.csv", "votes.csv", "follows.csv", "emails.csv"} <= names
    assert document["profile"]["email"] == board.mia.email
    assert [idea["title"] for idea in document["ideas"]] == ["Night buses for the late shift"]
    assert {vote["idea"]: vote["idea_title"] for vote in document["votes"]} == {
        other: "A quiet room", hidden: "",  # hidden since: its number, not its title
    }  # fmt: skip
    assert "Something a moderator hid" not in json.dumps(document)
    assert any(n["kind"] == "status_changed" for n in document["notifications"])
    assert comments_csv.startswith("\ufeff") and "'=1+1" not in comments_csv
    assert "Yes, =1+1" in comments_csv  # only cells that start like a formula change

    assert (await client.get(link.group(1))).status_code == 404  # once
    assert list(personal_data.exports_dir(settings.data_dir).glob("*.zip")) == []
