"""Small helpers for the words pages and emails show."""


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """`plural(1, "vote")` → "1 vote"; `plural(1200, "vote")` → "1,200 votes"."""
    word = singular if count == 1 else (plural or singular + "s")
    return f"{count:,} {word}"
