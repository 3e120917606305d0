"""Field checks shared by every form: lengths, control characters, email shape."""

from __future__ import annotations

import re
import unicodedata

from ideaboard.i18n import gettext, number

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Tab, newline and carriage return are text; every other control character is not.
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


# Bidirectional embeddings, overrides and isolates: typed by nobody, they reorder the text
# around them ("Trojan Source"), so a title or a name could show as something else.
# The marks LRM and RLM, which right-to-left writing does use, are kept.
BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def without_bidi_controls(value: str) -> str:
    return value.translate(BIDI_CONTROLS)


def has_control_characters(value: str) -> bool:
    return any(
        unicodedata.category(char) in {"Cc", "Cs"} and char not in _ALLOWED_CONTROLS
        for char in value
    )


def check_text(
    errors: dict[str, str],
    field: str,
    value: str,
    *,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> None:
    """Record in `errors` what is wrong with one text field, if anything."""
    if required and not value.strip():
        errors[field] = gettext("%(label)s is required.", label=label)
    elif len(value) > max_length:
        errors[field] = gettext(
            "%(label)s is too long: %(length)s characters, at most %(max)s.",
            label=label, length=number(len(value)), max=number(max_length),
        )  # fmt: skip
    elif has_control_characters(value) or (not multiline and ("\n" in value or "\r" in value)):
        errors[field] = gettext("%(label)s contains characters that are not allowed.", label=label)


def normalise_email(value: str) -> str:
    return value.strip().lower()


def check_email(errors: dict[str, str], field: str, email: str) -> None:
    if not email:
        errors[field] = gettext("Email is required.")
    elif len(email) > 254 or not EMAIL_PATTERN.match(email) or has_control_characters(email):
        errors[field] = gettext("Enter an email address like name@example.com.")


# The largest value of an INTEGER column on PostgreSQL (SQLite's are 64-bit): ids, counts,
# thresholds. A number past it in a query is a database error, not "no such row".
INTEGER_MAX = 2**31 - 1


def in_integer_range(number: int) -> bool:
    return -INTEGER_MAX - 1 <= number <= INTEGER_MAX


def parse_id(value: str) -> int | None:
    """A positive database id from form input, or None (also for one no row can have)."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= INTEGER_MAX else None
