"""Email templates (templates/email/): a plain-text and an HTML part for each email."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ideaboard.i18n import LANGUAGES, TEMPLATE_GLOBALS, current_language, number
from ideaboard.templating import exact_time
from ideaboard.wording import plural


@dataclass(frozen=True)
class EmailTemplates:
    templates_dir: Path
    base_url: str

    @cached_property
    def env(self) -> Environment:
        env = Environment(
            loader=FileSystemLoader(self.templates_dir),
            # HTML parts are escaped; plain-text parts must not be (no &amp; in a subject).
            autoescape=select_autoescape(enabled_extensions=("html",), default=False),
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
            keep_trailing_newline=True,
        )
        # In the language of `i18n.in_language`, around each email (its reader's).
        env.globals.update(TEMPLATE_GLOBALS)  # the reader's language (ideaboard.i18n)
        env.globals.update(url=self.url, language=current_language, languages=LANGUAGES)
        env.filters["plural"] = plural
        env.filters["number"] = lambda value: number(int(value))
        env.filters["exact_time"] = exact_time
        return env

    def url(self, path: str) -> str:
        """An absolute link: an email is read far from the board."""
        return f"{self.base_url.rstrip('/')}{path}"

    def render(self, name: str, **context: Any) -> tuple[str, str]:
        """(text, html) of `email/<name>.txt` and `email/<name>.html`, in the language the
        caller set for its reader (`i18n.in_language`)."""
        text = self.env.get_template(f"email/{name}.txt").render(context)
        html = self.env.get_template(f"email/{name}.html").render(context)
        return text, html
