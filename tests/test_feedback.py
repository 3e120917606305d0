"""Feedback after actions: flash messages (once, signed, with Undo), the first-run
checklist, empty states and the roadmap."""

from __future__ import annotations

from conftest import Client, Personas, make_idea
from ideaboard.flash import FLASH_COOKIE, flash_cookie, read_flash
from ideaboard.services import comments, moderation, status_updates
from ideaboard.settings import Settings
from ideaboard.tables import Comment, Idea, Organisation


async def test_a_message_is_shown_once_after_the_action(client: Client, board: Personas) -> None:
    idea = await make_idea(board.mia, board.operations)
    await client.login(board.otto.email)
    followed = await client.post(f"/ideas/{idea}/follow", {"following": "1"})
    assert followed.status_code == 303 and FLASH_COOKIE in followed.headers["set-cookie"]
    page = await client.get(followed.headers["location"])
    assert "You follow this idea: you will hear of its updates." in page.text
    assert 'role="status"' in page.text
    again = await client.get(followed.headers["location"])
    assert "You follow this idea" not in again.text  # once


async def test_a_message_cannot_be_forged_or_point_elsewhere(
    client: Client, board: Personas, settings: Settings
) -> None:
    await client.login(board.otto.email)
    forged = flash_cookie("not the board's key", "hidden", undo="/admin/users/1/role")
    client.http.cookies.set(FLASH_COOKIE, forged.value or "", domain="testserver.local")
    page = await client.get("/")
    assert page.status_code == 200 and "Hidden:" not in page.text
    for junk in ("", "x", "e30.", "%%%.abc", "a" * 5000):
        client.http.cookies.set(FLASH_COOKIE, junk, domain="testserver.local")
        assert (await client.get("/")).status_code == 200
    # The board's own, with an Undo to somewhere off the site: no Undo.
    off_site = flash_cookie(settings.secret_key, "hidden", undo="//evil.example/x")
    assert read_flash(settings.secret_key, off_site.value or "") is not None
    assert read_flash(settings.secret_key, off_site.value or "").undo == ""  # type: ignore[union-attr]


async def test_hiding_a_comment_says_so_and_undo_restores_it(
    client: Client, board: Personas
) -> None:
    idea = await make_idea(board.mia, board.operations)
    comment = await comments.add_comment(board.otto.actor, idea, comments.CommentInput("Rude."))
    await client.login(board.mo.email)
    hidden = await client.post(f"/moderation/comments/{comment}/hide", {"next": f"/ideas/{idea}"})
    assert hidden.status_code == 303 and hidden.headers["location"] == f"/ideas/{idea}"
    page = await client.get(f"/ideas/{idea}")
    assert "Hidden: only moderators and its author can see it now." in page.text
    assert f'action="/moderation/comments/{comment}/restore"' in page.text
    undo = await client.post(f"/moderation/comments/{comment}/restore", {"next": f"/ideas/{idea}"})
    assert undo.status_code == 303
    assert not (await Comment.select(Comment.hidden).first())["hidden"]
    assert "Restored: everyone can see it again." in (await client.get(f"/ideas/{idea}")).text


async def test_a_new_boards_admin_gets_a_checklist_until_it_is_done_or_hidden(
    client: Client, board: Personas
) -> None:
    await client.login(board.ada.email)
    page = (await client.get("/")).text
    # The board fixture made three departments and people; no domains, no managers yet.
    assert "Get your board ready" in page and "2 to go" in page
    assert "<s>Add the departments ideas are for</s>" in page
    assert 'href="/admin#allowed_email_domains">Say who may sign up</a>' in page
    await client.logout()
    await client.login(board.mia.email)
    assert "Get your board ready" not in (await client.get("/")).text  # admins only
    await client.logout()
    await client.login(board.ada.email)
    hidden = await client.post("/admin/checklist/hide")
    assert hidden.status_code == 303
    assert "The checklist is put away" in (await client.get("/")).text
    assert "Get your board ready" not in (await client.get("/")).text
    assert (await Organisation.select(Organisation.checklist_dismissed).first())[
        "checklist_dismissed"
    ]


async def test_empty_boards_say_why_and_how_out(client: Client, board: Personas) -> None:
    await client.login(board.otto.email)
    empty = (await client.get("/")).text
    assert "No ideas yet." in empty and "Propose the first one" in empty
    await make_idea(board.mia, board.operations, title="Dock calendar")
    filtered = (await client.get(f"/?department={board.it}")).text
    assert "No ideas match these filters." in filtered and "Clear filters" in filtered
    assert "Filters (1)" in filtered
    searched = (await client.get("/?q=zeppelin")).text
    assert "No ideas match “zeppelin”." in searched and "Propose it as a new idea" in searched


async def test_the_roadmap_lists_planned_in_progress_and_done_by_department(
    client: Client, board: Personas
) -> None:
    ideas = {}
    for title, status, department in (
        ("Racks", "planned", board.operations), ("Canteen", "in_progress", board.operations),
        ("Signs", "done", board.it), ("Parking", "under_review", board.operations),
        ("Lockers", "planned", board.operations), ("Bonus", "planned", board.operations),
    ):  # fmt: skip
        ideas[title] = await make_idea(board.mia, department, title=title)
        await status_updates.update_status(
            board.ada.actor, ideas[title],
            status_updates.StatusUpdateInput(status=status, message="Moving."),
        )  # fmt: skip
    # Hidden, or back to waiting for approval: on nobody's roadmap, not even its author's.
    await moderation.set_idea_hidden(board.mo.actor, ideas["Lockers"], hidden=True, reason="x")
    await Idea.update({Idea.approval: "pending"}).where(Idea.id == ideas["Bonus"])
    for reader in (board.mia, board.otto):
        await client.login(reader.email)
        shown = (await client.get("/roadmap")).text
        assert "Racks" in shown and "Lockers" not in shown and "Bonus" not in shown
    page = (await client.get("/roadmap")).text
    planned = page.split('id="column-planned"')[1].split('id="column-in_progress"')[0]
    progress = page.split('id="column-in_progress"')[1].split('id="column-done"')[0]
    done = page.split('id="column-done"')[1]
    assert "Racks" in planned and "Canteen" in progress and "Signs" in done
    assert "Parking" not in page  # under review is not on the roadmap yet
    it_only = (await client.get(f"/roadmap?department={board.it}")).text
    assert "Signs" in it_only and "Racks" not in it_only and "Nothing planned yet." in it_only
    assert (await client.get("/roadmap?department=99999999999")).status_code == 200
