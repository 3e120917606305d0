"""What an event looks like on the wire: a Standard Webhooks JSON body, a Slack Block Kit
message, or a Teams Adaptive Card. Pure: built from the services' views, no queries.

Whatever people wrote (titles, excerpts, names) goes into plain-text fields of each
format, so nobody's title can format, link or mention in a channel; the little markup
that is ours (Slack's bold heading) escapes what it quotes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ideaboard.api_schema import comment_out, idea_out
from ideaboard.domain import Status
from ideaboard.i18n import gettext, ngettext
from ideaboard.services.comments import CommentView
from ideaboard.services.events import EventKind
from ideaboard.services.ideas import IdeaView, excerpt_of


@dataclass(frozen=True)
class EventFacts:
    """An event with what its messages say, as the board's public may see it."""

    kind: EventKind
    at: datetime
    idea: IdeaView
    base_url: str
    detail: dict[str, Any]
    actor: str | None = None  # None: nobody to name (or an anonymous author)
    comment: CommentView | None = None
    message: str = ""  # a status update's words
    merged_into: IdeaView | None = None  # None too when the public may not see it

    @property
    def url(self) -> str:
        if self.comment is not None:
            return f"{self.base_url}/ideas/{self.idea.id}#comment-{self.comment.id}"
        return f"{self.base_url}/ideas/{self.idea.id}"


def _idea_json(idea: IdeaView, base_url: str) -> dict[str, Any]:
    fields = dataclasses.asdict(idea_out(idea, base_url))
    del fields["voted"]  # nobody in particular reads it
    return fields


def standard_body(facts: EventFacts) -> dict[str, Any]:
    """The Standard Webhooks payload: `type`, `timestamp` and `data`."""
    data: dict[str, Any] = {"idea": _idea_json(facts.idea, facts.base_url)}
    if facts.actor is not None:
        data["actor"] = {"name": facts.actor}
    detail = facts.detail
    match facts.kind:
        case EventKind.IDEA_STATUS_CHANGED:
            data["status"] = {"from": detail["from"], "to": detail["to"], "message": facts.message}
        case EventKind.IDEA_ROUTED:
            data["routing"] = {
                key: detail[key]
                for key in ("owner", "department", "from_department")
                if key in detail
            }
        case EventKind.IDEA_MERGED:
            target = facts.merged_into
            data["merged_into"] = _idea_json(target, facts.base_url) if target else None
            data["moved_votes"] = detail.get("moved_votes", 0)
        case EventKind.IDEA_THRESHOLD_REACHED:
            data["votes"], data["threshold"] = detail["votes"], detail["threshold"]
        case EventKind.IDEA_VOTES_CHANGED:
            data["votes"], data["votes_before"] = detail["votes"], detail["before"]
        case EventKind.COMMENT_CREATED:
            assert facts.comment is not None
            data["comment"] = dataclasses.asdict(comment_out(facts.comment))
            data["comment"]["url"] = facts.url
    return {"type": facts.kind.value, "timestamp": facts.at, "data": data}


# --- Slack and Teams: a department's channel ---------------------------------------------


def headline(facts: EventFacts) -> str:
    """One sentence that says what happened, in the board's language."""
    idea = facts.idea
    match facts.kind:
        case EventKind.IDEA_CREATED:
            return gettext("New idea for %(department)s", department=idea.department)
        case EventKind.IDEA_THRESHOLD_REACHED:
            return ngettext(
                "Reached %(num)s vote and needs an owner",
                "Reached %(num)s votes and needs an owner",
                facts.detail["votes"],
            )
        case EventKind.IDEA_STATUS_CHANGED:
            return gettext(
                "%(name)s moved this idea to %(status)s",
                name=facts.actor or gettext("Someone"),
                status=Status(facts.detail["to"]).label,
            )
    return facts.kind.value


def _facts_line(facts: EventFacts) -> str:
    idea = facts.idea
    votes = ngettext("%(num)s vote", "%(num)s votes", idea.vote_count)
    return " · ".join((idea.status.label, votes, str(idea.author_name)))


def slack_escape(text: str) -> str:
    """Slack's three control characters in mrkdwn: &, < and > (its docs' own list)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _slack_text(text: str, *, most: int = 3000) -> dict[str, Any]:
    return {"type": "plain_text", "text": _cut(text, most), "emoji": False}


def slack_message(facts: EventFacts) -> dict[str, Any]:
    """A Block Kit message for a Slack incoming webhook."""
    idea = facts.idea
    said = facts.message or excerpt_of(idea.body_html)
    heading = {"type": "mrkdwn", "text": f"*{slack_escape(headline(facts))}*"}
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": heading},
        {"type": "header", "text": _slack_text(idea.title, most=150)},
    ]
    if said:
        blocks.append({"type": "section", "text": _slack_text(said)})
    button = {
        "type": "button",
        "text": _slack_text(gettext("Open the idea"), most=75),
        "url": facts.url,
        "action_id": "open_idea",
    }
    blocks += [
        {"type": "context", "elements": [_slack_text(_facts_line(facts))]},
        {"type": "actions", "elements": [button]},
    ]
    # The notification's text (and what screen readers say): mrkdwn, so escaped.
    text = slack_escape(f"{headline(facts)}: {idea.title}")
    return {"text": _cut(text, 3000), "blocks": blocks}


def _plain(text: str, **style: Any) -> dict[str, Any]:
    """A RichTextBlock of one TextRun: Adaptive Cards apply no markdown to text runs."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def teams_message(facts: EventFacts) -> dict[str, Any]:
    """An Adaptive Card in the message a Teams Workflows webhook takes ("Post to a channel
    when a webhook request is received"); the Office 365 connectors' cards are retired."""
    idea = facts.idea
    said = facts.message or excerpt_of(idea.body_html)
    body: list[dict[str, Any]] = [
        _plain(headline(facts), size="Small", weight="Bolder", isSubtle=True),
        _plain(idea.title, size="Large", weight="Bolder"),
    ]
    if said:
        body.append(_plain(said))
    body.append(_plain(_facts_line(facts), size="Small", isSubtle=True))
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [
            {"type": "Action.OpenUrl", "title": gettext("Open the idea"), "url": facts.url}
        ],
        "msteams": {"width": "Full"},
    }
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }
