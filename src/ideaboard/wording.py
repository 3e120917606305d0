"""Counted words: "1 vote", "1,234 votes", "1.234 stemmer", in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ideaboard.i18n import current_language, gettext, ngettext

# Each counted word, written out for the catalogs (a language has its own plural rule,
# so the forms are whole phrases, not a word and an "s").
COUNTED: dict[str, Callable[[int], str]] = {
    "vote": lambda n: ngettext("%(num)s vote", "%(num)s votes", n),
    "comment": lambda n: ngettext("%(num)s comment", "%(num)s comments", n),
    "follower": lambda n: ngettext("%(num)s follower", "%(num)s followers", n),
    "idea": lambda n: ngettext("%(num)s idea", "%(num)s ideas", n),
    "person": lambda n: ngettext("%(num)s person", "%(num)s people", n),
    "day": lambda n: ngettext("%(num)s day", "%(num)s days", n),
    "email": lambda n: ngettext("%(num)s email", "%(num)s emails", n),
    "attempt": lambda n: ngettext("%(num)s attempt", "%(num)s attempts", n),
    "flag": lambda n: ngettext("%(num)s flag", "%(num)s flags", n),
    "earlier notification": lambda n: ngettext(
        "%(num)s earlier notification", "%(num)s earlier notifications", n
    ),
    "idea needs an owner": lambda n: ngettext(
        "%(num)s idea needs an owner", "%(num)s ideas need an owner", n
    ),
}


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """`plural(1, "vote")` → "1 vote"; `plural(1200, "vote")` → "1,200 votes" (in the
    reader's language). `singular` names one of COUNTED; `plural` is only a reminder
    for the reader of the call."""
    return _counted(current_language(), singular, int(count))


@lru_cache(maxsize=4096)
def _counted(language: str, singular: str, count: int) -> str:
    """Worded once per language, word and count: a board page counts thirty of each."""
    return COUNTED[singular](count)


def status_choice(status: Any, current: Any) -> tuple[str, str]:
    """A status in a select of statuses: (value, label), the current one marked."""
    if status is current:
        return status.value, gettext("%(status)s (no change)", status=status.label)
    return status.value, status.label
