"""The vote control, drawn in Python: a board page draws thirty, and as a Jinja macro
each cost more than the rest of its card (133,000 instructions against 10,000 here,
counted by callgrind). Everything in it is a number or one of the board's own words,
none of it typed by a person; the refusal is the board's sentence, escaped all the same.

Like Fider's and Canny's: one box with the count inside. Its name starts with "Vote",
or "Voted" once I voted (aria-pressed says so too); a closed idea shows its count only.
The button submits the page's one vote form (`vote_form` in ideas/_vote_button.html:
the form token and the way back) to its own idea's address (formaction), with or
without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from markupsafe import Markup, escape

from ideaboard.domain import Status, can_vote
from ideaboard.i18n import ngettext, number, pgettext

CARET = (
    '<svg class="caret" aria-hidden="true" width="14" height="10" viewBox="0 0 14 10">'
    '<path d="M1 9 7 2l6 7" fill="none" stroke="currentColor" stroke-width="2.2"'
    ' stroke-linecap="round" stroke-linejoin="round"/></svg>'
)
# `data-sse-swap`: an open page's live stream swaps in this idea's box as its reader sees it.
LIVE = ' data-sse-swap="vote-{id}" data-hx-target="this" data-hx-swap="outerHTML"'
OPEN = (
    '<div id="vote-button-{id}" class="vote"' + LIVE + ">\n"
    '  <button type="submit" form="vote-form" formaction="{action}" name="voted" value="{value}"'
    ' data-hx-post="{action}" data-hx-target="#vote-button-{id}" data-hx-swap="outerHTML"'
    ' id="vote-{id}" aria-pressed="{pressed}" class="vote-box{voted_class}">\n'
    '    <span class="vote-label">{label}</span>\n'
    "    " + CARET + "\n"
    '    <span class="vote-count">{count}<span class="visually-hidden"> {word}</span></span>\n'
    "  </button>{refusal}\n"
    "</div>"
)
CLOSED = (
    '<div id="vote-button-{id}" class="vote-box closed"' + LIVE + ">\n"
    '  <span class="vote-count">{count}</span>\n'
    '  <span class="vote-label">{word}</span>\n'
    "</div>"
)
REFUSAL = '\n  <small class="vote-refusal" role="alert">{}</small>'


class Votable(Protocol):
    id: int
    status: Status
    vote_count: int
    voted: bool


class VoteBox:
    """`vote_box(idea, refusal="")` in templates."""

    def __init__(self, url_for: Callable[..., str]) -> None:
        self._url_for = url_for

    def __call__(self, idea: Votable, refusal: str = "") -> Markup:
        count = int(idea.vote_count)
        word = escape(ngettext("vote", "votes", count))
        shown = number(count)
        if not can_vote(idea.status):
            return Markup(CLOSED.format(id=int(idea.id), count=shown, word=word))  # noqa: S704
        voted = bool(idea.voted)
        html = OPEN.format(
            id=int(idea.id),
            action=self._url_for("ideas:vote", idea_id=idea.id),
            value="0" if voted else "1",
            pressed="true" if voted else "false",
            voted_class=" voted" if voted else "",
            label=escape(pgettext("button", "Voted") if voted else pgettext("button", "Vote")),
            count=shown,
            word=word,
            refusal=REFUSAL.format(escape(refusal)) if refusal else "",
        )
        return Markup(html)  # noqa: S704 (numbers and the board's words, all escaped)
