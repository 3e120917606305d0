"""The board's words in the reader's language.

The words are English in the code and the templates (`_("Ideas")`), and Babel catalogs
beside this module (`locale/<language>/LC_MESSAGES/messages.po`, `make messages`) hold
the other languages. The catalogs are compiled in memory when first used, so there is
no build step and no compiled file to forget.

Each request (and each email) is in one language, held in a context variable: the
signed-in person's choice, else the organisation's; a visitor's browser language
(Accept-Language) where the board speaks it. `in_language` switches it for an email,
which is in its recipient's language whoever caused it.

Only the board's own words are translated; what people wrote (ideas, comments,
department names) never passes through here.
"""

from __future__ import annotations

import gettext as gettext_module
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import LazyProxy, Translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

# The languages a person can choose, in their own words.
LANGUAGES = {"en": "English", "da": "Dansk"}
DEFAULT_LANGUAGE = "en"
# For tests only (Settings.pseudo_language): every translated string comes out wrapped
# in PSEUDO_OPEN/PSEUDO_CLOSE, so a page's text outside them was not translated.
PSEUDO_LANGUAGE = "qps"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
LOCALE_DIR = Path(__file__).parent / "locale"

_language: ContextVar[str] = ContextVar("ideaboard_language", default=DEFAULT_LANGUAGE)
# Times are shown in the organisation's time zone (an IANA name).
_zone: ContextVar[str] = ContextVar("ideaboard_time_zone", default="UTC")


class PseudoTranslations(gettext_module.NullTranslations):
    """English, with each message wrapped: `⟦Ideas⟧`."""

    def gettext(self, message: str) -> str:
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}"

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The language's catalog, compiled from its .po file on first use; English (the
    source language) needs none."""
    if language == PSEUDO_LANGUAGE:
        return PseudoTranslations()
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return gettext_module.NullTranslations()
    with (LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled)


def current_language() -> str:
    return _language.get()


def current_zone() -> str:
    return _zone.get()


def known(language: str | None) -> str | None:
    """The language if the board speaks it (or the tests' pseudo-language), else None."""
    if language in LANGUAGES or language == PSEUDO_LANGUAGE:
        return language
    return None


@contextmanager
def in_language(language: str | None, zone: str | None = None) -> Iterator[str]:
    """Everything in this block is worded in `language` (the default where unknown),
    with times in `zone` (where given)."""
    tokens = set_language(language, zone)
    try:
        yield _language.get()
    finally:
        reset_language(tokens)


def set_language(language: str | None, zone: str | None = None) -> tuple[Any, Any]:
    """For a request: set its language and time zone; hand the result to
    `reset_language` after."""
    return _language.set(known(language) or DEFAULT_LANGUAGE), _zone.set(zone or _zone.get())


_board_language = [DEFAULT_LANGUAGE]


def saw_board_language(language: str) -> None:
    """The organisation's language, as a request just read it (for `last_board_language`)."""
    _board_language[0] = language


def last_board_language() -> str:
    """The organisation's language as this process last read it: for the pages answered
    before any lookup (an address no route takes)."""
    return _board_language[0]


def reset_language(tokens: tuple[Any, Any]) -> None:
    _language.reset(tokens[0])
    _zone.reset(tokens[1])


@dataclass(frozen=True)
class Reading:
    """How a board reads by default: its language and time zone (the organisation's)."""

    language: str = DEFAULT_LANGUAGE
    zone: str = "UTC"


ENGLISH = Reading()


def reading(organisation: Any) -> Reading:
    """The organisation's defaults (an `OrganisationRow`, or None before set-up)."""
    if organisation is None:
        return ENGLISH
    return Reading(organisation.language, organisation.digest.time_zone)


def from_accept_language(header: str, *, pseudo: bool = False) -> str | None:
    """The first language of an Accept-Language header the board speaks ("da-DK,da;q=0.9,
    en;q=0.8" → "da"), by the weights the browser gives; None if none."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if weight > 0 and (language in LANGUAGES or (pseudo and language == PSEUDO_LANGUAGE)):
            weighted.append((-weight, position, language))
    return min(weighted)[2] if weighted else None


@cache
def babel_locale(language: str) -> Locale:
    """Babel's locale for dates and numbers (the pseudo-language formats as English)."""
    return Locale.parse(language if language in LANGUAGES else DEFAULT_LANGUAGE)


# What the code calls. Variables go in as Python's named placeholders: translators
# move them, never rename them ("%(name)s stemte").


def gettext(message: str, **variables: Any) -> str:
    text = translations(_language.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """`ngettext("%(num)s vote", "%(num)s votes", n)`: the language's plural rule picks
    the form; `num` is the count written the language's way ("1.234" in Danish)."""
    variables.setdefault("num", number(n))
    return translations(_language.get()).ngettext(singular, plural, n) % variables


def pgettext(context: str, message: str, **variables: Any) -> str:
    """A word that needs a hint to be translated right: `pgettext("status", "Done")`."""
    text = translations(_language.get()).pgettext(context, message)
    return text % variables if variables else text


def lazy_gettext(message: str) -> LazyProxy:
    """For words fixed at import time (a table of messages): translated when shown."""
    return LazyProxy(gettext, message, enable_cache=False)


def lazy_pgettext(context: str, message: str) -> LazyProxy:
    return LazyProxy(pgettext, context, message, enable_cache=False)


_ = gettext


def number(value: int) -> str:
    """1234 → "1,234" in English, "1.234" in Danish."""
    grouped = f"{value:,}"
    if value < 1000 and value > -1000:
        return grouped
    return grouped.replace(",", _group_sign(_language.get()))


def decimal(value: float) -> str:
    """3.5 → "3.5" in English, "3,5" in Danish; whole numbers without decimals."""
    return _decimal(_language.get(), value)


@lru_cache(maxsize=4096)
def _decimal(language: str, value: float) -> str:
    return format_decimal(value, format="#,##0.#", locale=babel_locale(language))


def file_size(size: int) -> str:
    """A file's size as people read it: "850 KB", "2.4 MB" ("2,4 MB" in Danish)."""
    if size < 1024 * 1024:
        return gettext("%(size)s KB") % {"size": number(max(1, round(size / 1024)))}
    return gettext("%(size)s MB") % {"size": decimal(round(size / 1024 / 1024, 1))}


def day(value: date) -> str:
    """A calendar day in the reader's language: "3 Dec 2026", "3. dec. 2026"."""
    return format_date(value, format="medium", locale=babel_locale(_language.get()))


@cache
def _group_sign(language: str) -> str:
    return str(babel_locale(language).number_symbols["latn"]["group"])


# The templates' callables: Jinja's new-style gettext (named placeholders filled by the
# call, the values escaped in HTML), but passed the evaluation context only. Jinja's own
# take the whole context, which Jinja copies with the loop's variables at every call in a
# loop: 30 cards of a board page, 100 rows of a triage page.


def _filled(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    """The translated text with its placeholders filled (our messages hold no "%%")."""
    if not variables:
        return Markup(text) if eval_ctx.autoescape else text  # noqa: S704 (our catalog)
    if eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704 (our catalog; the values escaped)
    return text % variables


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    return _filled(eval_ctx, translations(_language.get()).gettext(message), variables)


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, n: int, **variables: Any
) -> str:
    variables.setdefault("num", number(n))  # the count written the language's way
    text = translations(_language.get()).ngettext(singular, plural, n)
    return _filled(eval_ctx, text, variables)


@pass_eval_context
def _template_pgettext(eval_ctx: EvalContext, context: str, message: str, **variables: Any) -> str:
    text = translations(_language.get()).pgettext(context, message)
    return _filled(eval_ctx, text, variables)


TEMPLATE_GLOBALS = {
    "_": _template_gettext,
    "gettext": _template_gettext,
    "ngettext": _template_ngettext,
    "pgettext": _template_pgettext,
}


def week_days() -> list[str]:
    """Monday to Sunday, in the reader's language ("mandag", …)."""
    days = babel_locale(_language.get()).days["format"]["wide"]
    names = [days[day] for day in range(7)]
    if _language.get() == PSEUDO_LANGUAGE:  # Babel's words: translated, as far as tests go
        return [f"{PSEUDO_OPEN}{name}{PSEUDO_CLOSE}" for name in names]
    return names
