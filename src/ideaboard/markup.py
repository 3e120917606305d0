"""User Markdown to safe HTML: markdown-it-py (js-default, raw HTML off) then nh3."""

from __future__ import annotations

import html

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for user Markdown: no raw HTML, no script URLs, no on*/hx-* attributes."""
    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
    )


def plain_text(safe_html: str) -> str:
    """The words of rendered HTML, for excerpts (escape again when showing them)."""
    return html.unescape(nh3.clean(safe_html, tags=set())).strip()
