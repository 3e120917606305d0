"""Proposing, reading and editing ideas."""

from __future__ import annotations

import re

import pytest

from conftest import Client, Personas, make_idea, page_text
from ideaboard.services import board as board_service
from ideaboard.tables import Department, Idea


async def test_member_proposes_idea_for_another_department(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    form = await client.get("/ideas/new")
    assert "Submit idea" in form.text
    response = await client.post(
        "/ideas",
        {
            "title": "Shared calendar for the loading docks",
            "body": "Drivers wait **hours**.\n\n- book slots\n- see free docks",
            "department_id": str(board.operations),
        },
    )
    assert response.status_code == 303
    idea = await Idea.select().first()
    assert response.headers["location"] == f"/ideas/{idea['id']}"
    assert idea["author"] == board.mia.id
    assert idea["author_department"] == board.customer_service
    assert idea["department"] == board.operations
    assert idea["status"] == "new"

    page = await client.get(response.headers["location"])
    assert "Shared calendar for the loading docks" in page.text
    assert "<strong>hours</strong>" in page.text
    assert "from Customer Service" in page.text
    assert "for <strong>Operations</strong>" in page.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Title is required."),
        ("title", "x" * 161, "Title is too long: 161 characters, at most 160."),
        ("title", "Bell\x07 in the title", "Title contains characters that are not allowed."),
        ("title", "two\nlines", "Title contains characters that are not allowed."),
        ("body", "", "Description is required."),
        ("body", "y" * 20_001, "Description is too long: 20,001 characters, at most 20,000."),
        ("body", "nul \x00 byte", "Description contains characters that are not allowed."),
        ("department_id", "", "Choose the department this idea is for."),
        ("department_id", "99999", "Choose the department this idea is for."),
        ("department_id", "abc", "Choose the department this idea is for."),
        ("department_id", "-1", "Choose the department this idea is for."),
    ],
)
async def test_new_idea_bad_input_is_explained_and_kept(
    client: Client, board: Personas, field: str, value: str, message: str
) -> None:
    await client.login("mia@example.com")
    form = {
        "title": "A perfectly fine title",
        "body": "A perfectly fine description.",
        "department_id": str(board.it),
        field: value,
    }
    response = await client.post("/ideas", form)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    if field != "title":
        assert 'value="A perfectly fine title"' in response.text
    if field != "body":
        assert "A perfectly fine description." in response.text
    assert await Idea.count() == 0


async def test_archived_department_takes_no_new_ideas(client: Client, board: Personas) -> None:
    await Department.update({Department.archived: True}).where(Department.id == board.it)
    await client.login("mia@example.com")
    page = await client.get("/ideas/new")
    assert ">IT<" not in page.text
    response = await client.post(
        "/ideas", {"title": "t", "body": "b", "department_id": str(board.it)}
    )
    assert response.status_code == 422


async def test_invalid_utf8_in_a_form_never_becomes_a_500(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    body = (
        f"_csrf_token={client.csrf_token}&title=%FF%FE%FD&body=%C3%28&department_id={board.it}"
    ).encode()
    response = await client.http.post(
        "/ideas",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code in {303, 400, 422}


async def test_a_form_no_page_sends_is_refused_with_a_sentence(
    client: Client, board: Personas
) -> None:
    """The typed forms take one value a field; a field sent twice (no page of ours does
    that) is a 400 that says what to do, not a 500, and nothing is written."""
    await client.login("mia@example.com")
    body = (
        f"_csrf_token={client.csrf_token}&title=One&title=Two&body=Text&department_id={board.it}"
    ).encode()
    response = await client.http.post(
        "/ideas",
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert "This form could not be read: send it from the page." in page_text(response.text)
    assert await Idea.count() == 0


async def test_missing_idea_is_404(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    response = await client.get("/ideas/424242")
    assert response.status_code == 404
    assert "This idea does not exist." in response.text


async def test_author_edits_own_new_idea(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("mia@example.com")
    page = await client.get(f"/ideas/{idea_id}")
    assert "Edit idea" in page.text
    form = await client.get(f"/ideas/{idea_id}/edit")
    assert 'value="Shared calendar for the loading docks"' in form.text
    response = await client.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Dock calendar", "body": "Better *now*.", "department_id": str(board.it)},
    )
    assert response.status_code == 303
    idea = await Idea.select().where(Idea.id == idea_id).first()
    assert idea["title"] == "Dock calendar"
    assert idea["department"] == board.it
    assert "<em>now</em>" in idea["body_html"]


async def test_edit_with_bad_input_keeps_what_was_typed(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("mia@example.com")
    response = await client.post(
        f"/ideas/{idea_id}/edit",
        {"title": "", "body": "My new words", "department_id": str(board.it)},
    )
    assert response.status_code == 422
    assert "My new words" in response.text
    idea = await Idea.select(Idea.title).where(Idea.id == idea_id).first()
    assert idea["title"] == "Shared calendar for the loading docks"


async def test_others_cannot_edit_and_authors_only_while_new(
    client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    assert "Edit idea" not in (await client.get(f"/ideas/{idea_id}")).text
    assert (await client.get(f"/ideas/{idea_id}/edit")).status_code == 403
    response = await client.post(
        f"/ideas/{idea_id}/edit", {"title": "Hijacked", "body": "b", "department_id": "1"}
    )
    assert response.status_code == 403

    await Idea.update({Idea.status: "planned"}).where(Idea.id == idea_id)
    await client.logout()
    await client.login("mia@example.com")
    refused = await client.get(f"/ideas/{idea_id}/edit")
    assert refused.status_code == 403
    assert "only while they are new" in refused.text


@pytest.mark.parametrize("email", ["mo@example.com", "ada@example.com"])
async def test_moderators_and_admins_edit_any_idea(
    client: Client, board: Personas, email: str
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await Idea.update({Idea.status: "in_progress"}).where(Idea.id == idea_id)
    await client.login(email)
    response = await client.post(
        f"/ideas/{idea_id}/edit",
        {"title": "Clearer title", "body": "b", "department_id": str(board.operations)},
    )
    assert response.status_code == 303
    assert (await Idea.select(Idea.title).first())["title"] == "Clearer title"


async def test_markdown_is_sanitised_in_ideas(client: Client, board: Personas) -> None:
    await client.login("mia@example.com")
    await client.post(
        "/ideas",
        {
            "title": "<script>alert(1)</script>",
            "body": "<img src=x onerror=alert(1)> [click](javascript:alert(1))"
            ' <b hx-get="/x">b</b>',
            "department_id": str(board.it),
        },
    )
    idea = await Idea.select().first()
    page = await client.get(f"/ideas/{idea['id']}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    html = idea["body_html"]
    assert "<img" not in html  # raw HTML is shown as text, never as markup
    assert "<b " not in html
    assert 'href="javascript:' not in html


async def test_similar_ideas_appear_while_typing_a_title(client: Client, board: Personas) -> None:
    await make_idea(board.mia, board.operations, title="Shared calendar for the loading docks")
    done = await make_idea(board.mia, board.it, title="Calendar sync for laptops")
    await Idea.update({Idea.status: "done"}).where(Idea.id == done)
    await make_idea(board.mia, board.it, title="Canteen menu online")
    await client.login("otto@example.com")

    page = await client.get("/ideas/new")
    assert 'data-hx-get="/ideas/similar"' in page.text
    assert 'id="similar-ideas"' in page.text

    fragment = await client.get("/ideas/similar", params={"title": "A calendar for docks"})
    assert fragment.text.lstrip().startswith('<section id="similar-ideas"')
    assert "<html" not in fragment.text
    found = re.findall(r'<a href="/ideas/(\d+)"', fragment.text)
    assert len(found) == 2  # both calendar ideas, the closed one too; not the canteen
    assert "Shared <mark>calendar</mark> for the loading <mark>docks</mark>" in fragment.text
    assert "Done" in fragment.text and "0 votes" in fragment.text


@pytest.mark.parametrize("candidates", [2, 100])  # too few to tell (ranked again), enough
async def test_similar_ideas_are_the_best_visible_matches(
    client: Client, board: Personas, monkeypatch: pytest.MonkeyPatch, candidates: int
) -> None:
    monkeypatch.setattr(board_service, "CANDIDATES", candidates)
    ids = [
        await make_idea(board.mia, board.it, title=f"Calendar {'calendar ' * n}idea {n}")
        for n in range(8)
    ]
    hidden = ids[-3:]  # the three best matches
    await Idea.update({Idea.hidden: True}).where(Idea.id.is_in(hidden))
    await client.login("otto@example.com")
    fragment = await client.get("/ideas/similar", params={"title": "calendar"})
    found = [int(n) for n in re.findall(r'<a href="/ideas/(\d+)"', fragment.text)]
    assert found == list(reversed(ids[:5]))  # more "calendar", better match


@pytest.mark.parametrize("title", ["", "ab", "!!!", '" OR 1=1 --', "<script>x</script>"])
async def test_similar_ideas_need_words_and_never_fail(
    client: Client, board: Personas, title: str
) -> None:
    await make_idea(board.mia, board.operations, title="Script library")
    await client.login("otto@example.com")
    response = await client.get("/ideas/similar", params={"title": title})
    assert response.status_code == 200
    assert "<script>" not in response.text
