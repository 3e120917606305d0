"""Atom feeds: read by feedparser, as the person whose private link it is, on both
databases; what they may not see never reaches a feed."""

from __future__ import annotations

import feedparser
import httpx

from conftest import Client, Personas, make_idea
from ideaboard.services import comments, feeds, moderation, status_updates
from ideaboard.tables import User

SECRET = "test-secret-key-" + "x" * 32  # the settings fixture's key


async def token_for(user_id: int) -> str:
    """The person's current feed link token, as /account shows it."""
    record = await User.select(User.feed_generation).where(User.id == user_id).first()
    return feeds.feed_token(SECRET, user_id, record["feed_generation"])


async def read(http: httpx.AsyncClient, url: str) -> feedparser.FeedParserDict:
    answer = await http.get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    assert answer.headers["cache-control"] == "private, max-age=300"
    parsed = feedparser.parse(answer.text)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    return parsed


async def test_the_board_feed_lists_what_the_reader_sees(
    http: httpx.AsyncClient, board: Personas
) -> None:
    shown = await make_idea(board.mia, board.it, "Label the <b>racks</b> & bins")
    hidden = await make_idea(board.otto, board.it, "Something a moderator hid")
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="Off topic")
    token = await token_for(board.mia.id)
    feed = await read(http, f"/feeds/ideas.atom?token={token}")
    assert feed.feed.title == "Ideas at Acme"
    assert [entry.title for entry in feed.entries] == ["Label the <b>racks</b> & bins"]
    entry = feed.entries[0]
    assert entry.link == f"http://127.0.0.1:8000/ideas/{shown}"
    assert "<strong>hours</strong>" in entry.content[0].value  # the description's HTML
    assert entry.author == "Mia Member" and "1 vote" not in entry.summary
    # The hidden idea's own feed: a moderator's link reads it, as its page opens to them.
    mod = await token_for(board.mo.id)
    assert (await read(http, f"/feeds/ideas/{hidden}.atom?token={mod}")).entries
    assert (await http.get(f"/feeds/ideas/{hidden}.atom?token={token}")).status_code == 404


async def test_the_board_feed_takes_the_boards_filters(
    http: httpx.AsyncClient, board: Personas
) -> None:
    await make_idea(board.mia, board.it, "For IT")
    await make_idea(board.mia, board.operations, "For Operations")
    token = await token_for(board.otto.id)
    feed = await read(http, f"/feeds/ideas.atom?department={board.operations}&token={token}")
    assert [entry.title for entry in feed.entries] == ["For Operations"]
    assert f"department={board.operations}" in feed.feed.link


async def test_an_idea_feed_tells_its_story(http: httpx.AsyncClient, board: Personas) -> None:
    idea_id = await make_idea(board.mia, board.it, "Shared calendar")
    await comments.add_comment(
        board.otto.actor, idea_id, comments.CommentInput(body="Yes, *please*.")
    )
    await status_updates.update_status(
        board.ada.actor,
        idea_id,
        status_updates.StatusUpdateInput(status="planned", message="We start in May."),
    )
    token = await token_for(board.otto.id)
    feed = await read(http, f"/feeds/ideas/{idea_id}.atom?token={token}")
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "Shared calendar is now Planned",
        "Otto Operator commented on Shared calendar",
        "Mia Member proposed Shared calendar",
    ]
    assert "May" in feed.entries[0].content[0].value
    assert f"/ideas/{idea_id}#comment-" in feed.entries[1].link


async def test_anonymous_authors_stay_anonymous_in_danish_too(
    http: httpx.AsyncClient, board: Personas
) -> None:
    from ideaboard.services import ideas

    await ideas.create_idea(
        board.mia.actor,
        ideas.IdeaInput(
            title="Fewer meetings", body="Really.", department_id=str(board.it), anonymous=True
        ),
    )
    await User.update({User.language: "da"}).where(User.id == board.otto.id)
    feed = await read(http, f"/feeds/ideas.atom?token={await token_for(board.otto.id)}")
    assert feed.feed.title == "Idéer hos Acme"
    assert feed.entries[0].author == "Anonym"
    assert "Mia" not in str(feed)


async def test_a_feed_link_that_is_not_genuine_current_or_active_is_not_found(
    http: httpx.AsyncClient, client: Client, board: Personas
) -> None:
    idea_id = await make_idea(board.mia, board.it)
    token = await token_for(board.otto.id)
    for url in [
        "/feeds/ideas.atom",
        "/feeds/ideas.atom?token=",
        f"/feeds/ideas.atom?token={board.otto.id}.{'0' * 40}",
        f"/feeds/ideas.atom?token={board.mia.id}.{token.partition('.')[2]}",  # Otto's HMAC
        "/feeds/ideas.atom?token=%C3%A9.x",
    ]:
        assert (await http.get(url)).status_code == 404, url
    hidden = await make_idea(board.mia, board.it, "Hidden soon")
    await moderation.set_idea_hidden(board.mo.actor, hidden, hidden=True, reason="No")
    assert (await http.get(f"/feeds/ideas/{hidden}.atom?token={token}")).status_code == 404
    # New links at /account: the old one stops working.
    await client.login("otto@example.com")
    assert f"token={token}" in (await client.get("/account")).text
    renewed = await client.post("/account/feeds")
    assert renewed.status_code == 303
    assert (await http.get(f"/feeds/ideas/{idea_id}.atom?token={token}")).status_code == 404
    new_token = await token_for(board.otto.id)
    assert new_token != token
    assert (await http.get(f"/feeds/ideas/{idea_id}.atom?token={new_token}")).status_code == 200
    # Switched off: no feed.
    await User.update({User.active: False}).where(User.id == board.otto.id)
    assert (await http.get(f"/feeds/ideas.atom?token={new_token}")).status_code == 404


async def test_a_pending_idea_is_in_nobody_elses_feed(
    http: httpx.AsyncClient, board: Personas
) -> None:
    from ideaboard.tables import Organisation

    await Organisation.update({Organisation.pre_moderation: True}, force=True)
    pending = await make_idea(board.mia, board.it, "Waiting for a moderator")
    token = await token_for(board.otto.id)
    feed = await read(http, f"/feeds/ideas.atom?sort=new&token={token}")
    assert "Waiting for a moderator" not in [entry.title for entry in feed.entries]
    assert (await http.get(f"/feeds/ideas/{pending}.atom?token={token}")).status_code == 404
    assert (
        await read(http, f"/feeds/ideas/{pending}.atom?token={await token_for(board.mia.id)}")
    ).entries
