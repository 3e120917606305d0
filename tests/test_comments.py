"""Comments: post, edit and delete, Markdown made safe, counted on the idea."""

from __future__ import annotations

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.services import comments
from ideaboard.tables import Comment, Idea


async def comment_count(idea_id: int) -> int:
    record = await Idea.select(Idea.comment_count).where(Idea.id == idea_id).first()
    return int(record["comment_count"])


async def test_post_comment_without_javascript(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    response = await client.post(f"/ideas/{idea_id}/comments", {"body": "Yes, *please*."})
    comment = await Comment.select().first()
    assert response.status_code == 303
    assert response.headers["location"] == f"/ideas/{idea_id}#comment-{comment['id']}"
    assert await comment_count(idea_id) == 1
    page = await client.get(f"/ideas/{idea_id}")
    assert "Yes, <em>please</em>." in page.text
    assert "1 comment<" in page.text


async def test_post_comment_with_htmx_returns_the_comments_block(
    client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    first = await client.post(f"/ideas/{idea_id}/comments", {"body": "First"}, htmx=True)
    second = await client.post(f"/ideas/{idea_id}/comments", {"body": "Second"}, htmx=True)
    assert second.status_code == 200
    assert second.text.lstrip().startswith('<div id="comments-block">')
    assert "<html" not in second.text
    assert second.text.index("First") < second.text.index("Second")  # newest at the bottom
    assert "2 comments" in second.text
    assert first.headers["vary"] == "HX-Request"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Comment is required."),
        ("   ", "Comment is required."),
        ("z" * 10_001, "Comment is too long: 10,001 characters, at most 10,000."),
        ("null \x00 byte", "Comment contains characters that are not allowed."),
    ],
)
async def test_bad_comment_is_explained_and_kept(
    client: Client, board: Personas, body: str, message: str
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    for htmx in (False, True):
        response = await client.post(f"/ideas/{idea_id}/comments", {"body": body}, htmx=htmx)
        assert response.status_code == 422
        assert message in response.text
        if body.strip() and "\x00" not in body:
            assert body in response.text
    assert await Comment.count() == 0
    assert await comment_count(idea_id) == 0


async def test_comment_on_missing_idea_is_404(client: Client, board: Personas) -> None:
    await client.login("otto@example.com")
    response = await client.post("/ideas/4242/comments", {"body": "Hello"})
    assert response.status_code == 404
    assert await Comment.count() == 0


async def test_comment_markdown_is_sanitised(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    await client.login("otto@example.com")
    await client.post(
        f"/ideas/{idea_id}/comments",
        {
            "body": "<script>alert(1)</script> [x](javascript:alert(1)) "
            '<a href="/" hx-post="/logout" onclick="x()">y</a> [ok](https://example.com)'
        },
    )
    html = (await Comment.select(Comment.body_html).first())["body_html"]
    assert "<script" not in html and '<a href="/"' not in html
    assert 'href="javascript:' not in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow ugc">ok</a>' in html


async def test_author_edits_own_comment(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    comment_id = await comments.add_comment(
        board.otto.actor, idea_id, comments.CommentInput("Old words")
    )
    await client.login("otto@example.com")
    form = await client.get(f"/comments/{comment_id}/edit")
    assert "Old words" in form.text
    bad = await client.post(f"/comments/{comment_id}/edit", {"body": ""})
    assert bad.status_code == 422
    response = await client.post(f"/comments/{comment_id}/edit", {"body": "New **words**"})
    assert response.status_code == 303
    page = await client.get(f"/ideas/{idea_id}")
    assert "New <strong>words</strong>" in page.text
    assert "edited" in page.text


async def test_others_cannot_edit_or_delete_a_comment(client: Client, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    comment_id = await comments.add_comment(
        board.otto.actor, idea_id, comments.CommentInput("Mine")
    )
    await client.login("mia@example.com")
    assert (await client.get(f"/comments/{comment_id}/edit")).status_code == 403
    assert (await client.post(f"/comments/{comment_id}/edit", {"body": "x"})).status_code == 403
    assert (await client.post(f"/comments/{comment_id}/delete")).status_code == 403
    assert await Comment.count() == 1


@pytest.mark.parametrize("email", ["otto@example.com", "mo@example.com", "ada@example.com"])
async def test_author_and_moderators_delete_a_comment(
    client: Client, board: Personas, email: str
) -> None:
    idea_id = await make_idea(board.mia, board.operations)
    comment_id = await comments.add_comment(
        board.otto.actor, idea_id, comments.CommentInput("Mine")
    )
    await client.login(email)
    response = await client.post(f"/comments/{comment_id}/delete")
    assert response.status_code == 303
    assert await Comment.count() == 0
    assert await comment_count(idea_id) == 0
    again = await client.post(f"/comments/{comment_id}/delete")
    assert again.status_code == 404
    assert await comment_count(idea_id) == 0
