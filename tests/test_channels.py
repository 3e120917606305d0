"""A department's Slack and Teams channels, delivered to a real local receiver: what they
hear of, Block Kit checked by Slack's own models, the Adaptive Card's shape, and text
that cannot format, link or mention. Both databases."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block

from conftest import Personas, make_idea
from ideaboard.jobs.events import move_events
from ideaboard.mail.mailer import Mailer
from ideaboard.services import channels, comments, status_updates, votes
from ideaboard.services.events import announce_votes
from ideaboard.settings import Settings
from ideaboard.tables import Department
from receiver import Receiver

NASTY_TITLE = "<!channel> *Free* _pizza_ & <https://evil.example|click> [x](https://evil.example)"


async def connect(board: Personas, receiver: Receiver, department: int) -> None:
    """As an admin may: any receiver (here the test's, standing in for Slack and Teams)."""
    await channels.set_channel(board.ada.actor, department, "slack", receiver.url + "/slack")
    await channels.set_channel(board.ada.actor, department, "teams", receiver.url + "/teams")


def check_block_kit(message: dict[str, Any]) -> None:
    """Every block is one Slack's SDK knows, within Slack's limits, with nothing dropped."""
    assert isinstance(message["text"], str) and message["text"]
    assert 1 <= len(message["blocks"]) <= 50
    for raw in message["blocks"]:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()  # raises SlackObjectFormationError past a limit
        assert block.to_dict() == raw


def check_adaptive_card(message: dict[str, Any]) -> dict[str, Any]:
    """The message a Teams Workflows webhook takes: one Adaptive Card attachment."""
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] in {"1.2", "1.3", "1.4", "1.5"}
    for element in card["body"]:
        # Text people wrote sits in text runs, which no markdown touches.
        assert element["type"] == "RichTextBlock"
        assert all(inline["type"] == "TextRun" for inline in element["inlines"])
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith("https://")
    return card


def texts(card: dict[str, Any]) -> list[str]:
    return [inline["text"] for element in card["body"] for inline in element["inlines"]]


async def test_a_new_idea_reaches_its_departments_channels(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await connect(board, receiver, board.it)
    idea = await make_idea(board.mia, board.it, "Single sign-on for the print server")
    await make_idea(board.mia, board.operations, "Not for IT")
    await move_events(local, mailer)
    (slack,) = receiver.wait_for("/slack")
    (teams,) = receiver.wait_for("/teams")
    message = slack.json()
    check_block_kit(message)
    assert message["blocks"][1]["text"]["text"] == "Single sign-on for the print server"
    assert message["blocks"][0]["text"]["text"] == "*New idea for IT*"
    button = message["blocks"][-1]["elements"][0]
    assert button["url"] == f"https://ideas.acme.example/ideas/{idea}"
    card = check_adaptive_card(teams.json())
    assert "Single sign-on for the print server" in texts(card)
    assert card["actions"][0]["url"] == f"https://ideas.acme.example/ideas/{idea}"
    assert "webhook-signature" not in slack.headers  # the URL is the secret


async def test_status_updates_and_thresholds_reach_channels_but_chatter_does_not(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await Department.update({Department.routing_threshold: 2}).where(Department.id == board.it)
    idea = await make_idea(board.mia, board.it, "Dock scheduling")
    await connect(board, receiver, board.it)  # after the idea: it hears of what comes next
    await comments.add_comment(board.otto.actor, idea, comments.CommentInput(body="Chatter"))
    await votes.set_vote(board.otto.actor, idea, voted=True)
    await votes.set_vote(board.ada.actor, idea, voted=True)
    await announce_votes()
    await status_updates.update_status(
        board.ada.actor, idea,
        status_updates.StatusUpdateInput(status="planned", message="In the May release"),
    )  # fmt: skip
    await move_events(local, mailer)
    got = receiver.wait_for("/slack", 2)
    headings = [r.json()["blocks"][0]["text"]["text"] for r in got]
    assert headings == [
        "*Reached 2 votes and needs an owner*",
        "*Ada Admin moved this idea to Planned*",
    ]
    assert got[1].json()["blocks"][2]["text"]["text"] == "In the May release"
    for r in got:
        check_block_kit(r.json())
    cards = [check_adaptive_card(r.json()) for r in receiver.wait_for("/teams", 2)]
    assert "In the May release" in texts(cards[1])


async def test_nobodys_title_can_format_link_or_mention(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await connect(board, receiver, board.it)
    await make_idea(board.mia, board.it, NASTY_TITLE, "Body with <b>tags</b> & *stars*")
    await move_events(local, mailer)
    message = receiver.wait_for("/slack")[0].json()
    check_block_kit(message)
    header, excerpt = message["blocks"][1], message["blocks"][2]
    assert header["text"] == {"type": "plain_text", "text": NASTY_TITLE, "emoji": False}
    assert excerpt["text"]["type"] == "plain_text"
    # The notification text is mrkdwn: Slack's control characters are escaped there.
    assert "<!channel>" not in message["text"] and "&lt;!channel&gt;" in message["text"]
    assert "&amp;" in message["text"] and "<https://evil" not in message["text"]
    card = check_adaptive_card(receiver.wait_for("/teams")[0].json())
    assert NASTY_TITLE in texts(card)  # a text run: shown as written, never as markdown


async def test_a_long_title_fits_slacks_limits(
    board: Personas, receiver: Receiver, local: Settings, mailer: Mailer
) -> None:
    await connect(board, receiver, board.it)
    await make_idea(board.mia, board.it, "Word " * 31 + "end", "x " * 2000)
    await move_events(local, mailer)
    message = receiver.wait_for("/slack")[0].json()
    check_block_kit(message)
    assert message["blocks"][1]["text"]["text"].endswith("…")
