"""User Markdown becomes safe HTML."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from ideaboard.markup import ALLOWED_TAGS, plain_text, render_markdown


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def test_markdown_renders_common_formatting() -> None:
    html = render_markdown("**bold** _em_ `code`\n\n- a\n- b\n\n> quote")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert "<code>code</code>" in html
    assert "<li>a</li>" in html
    assert "<blockquote>" in html


PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    "![x](https://tracker.example/pixel.png)",
    '<div hx-get="/logout" hx-trigger="load">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "<a href='vbscript:msgbox(1)'>x</a>",
    "[x](<javascript:alert(1)>)",
    "<details open ontoggle=alert(1)>",
    "<form action=/logout><button>x</button></form>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_markdown_never_lets_active_content_through(payload: str) -> None:
    for tag, attrs in Elements(render_markdown(payload)).found:
        assert tag in ALLOWED_TAGS, (payload, tag)
        for name, value in attrs.items():
            assert not name.startswith(("on", "hx-", "data-")), (payload, name)
            if name in {"href", "src"}:
                assert (value or "").startswith(("http://", "https://", "mailto:")), payload


def test_links_get_safe_rel() -> None:
    html = render_markdown("[docs](https://example.com/docs)")
    assert html.strip() == (
        '<p><a href="https://example.com/docs" rel="noopener noreferrer nofollow ugc">docs</a></p>'
    )


def test_plain_text_strips_tags_and_unescapes() -> None:
    assert plain_text(render_markdown("**Fish & chips** <b>")) == "Fish & chips <b>"
