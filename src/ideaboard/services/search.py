"""Full-text search, one interface over SQLite FTS5 and PostgreSQL tsvector.

The board asks for the SQL pieces (a join, a condition, a relevance expression and
two highlighted columns) and composes them with its own filters and keyset pages.
Highlights come back wrapped in private-use characters, never in HTML, so the text
is escaped first and only then given its <mark> elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from ideaboard.db import is_sqlite

MARK_START, MARK_END = "\ue000", "\ue001"
MAX_TERMS = 8
_WORD = re.compile(r"\w+")


# Left out when any one word may match (similar ideas): they would match everything.
COMMON_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "this",
        "to",
        "we",
        "with",
    ]
)


def terms(text: str, *, drop_common: bool = False) -> list[str]:
    """The words of a search, lower-cased; operators and punctuation never reach SQL."""
    words = [word for word in _WORD.findall(text.lower()) if word.strip("_")]
    if drop_common:
        words = [word for word in words if word not in COMMON_WORDS]
    return words[:MAX_TERMS]


@dataclass(frozen=True)
class SearchSql:
    """Pieces of SQL for one search; each `{}` takes the matching value from `args`."""

    join: str
    condition: str
    condition_args: list[Any]
    relevance: str
    relevance_args: list[Any]
    highlights: str  # "<title expr> AS title_marked, <snippet expr> AS snippet_marked"
    highlight_args: list[Any]
    # After `FROM idea i` when only ids and scores are read: on SQLite, the filters from
    # a narrow index rather than from each match's whole row (see its migration).
    narrow: str = ""
    # SQLite: every match's id and relevance (as `sort_key`) from the full-text index
    # alone, without the ideas' rows; empty on PostgreSQL.
    matches: str = ""
    # What reads the rows of matches already found (their highlights need the match):
    # the condition without SQLite's bound; `condition` where empty.
    found_condition: str = ""
    found_condition_args: list[Any] | None = None

    @property
    def rows_condition(self) -> tuple[str, list[Any]]:
        if self.found_condition:
            return self.found_condition, self.found_condition_args or []
        return self.condition, self.condition_args


SQLITE_RELEVANCE = "-bm25(idea_fts, 10.0, 1.0)"  # a word in the title counts ten times
# A search on SQLite ranks the newest RANKED_AT_MOST of its matches (the decision of
# issue #18: a bounded candidate set; the best match among those is the best match).
# Ranking every match of a common word cost 24 ms at 100,000 ideas (9,000 matches);
# the newest 1,000, 5 ms. Below that many matches nothing changes. FTS5 serves both
# the bound (its matches in id order) and the range (`rowid >=`) from its index.
RANKED_AT_MOST = 1000
SQLITE_BOUND = (
    "COALESCE((SELECT rowid FROM idea_fts WHERE idea_fts MATCH {{}}"
    " ORDER BY rowid DESC LIMIT 1 OFFSET {skip}), 0)"
)
SQLITE_MATCHES = (
    "SELECT rowid AS id, {relevance} AS sort_key FROM idea_fts"
    " WHERE idea_fts MATCH {{}} AND rowid >= {bound}"
)


def search_sql(words: list[str], *, any_word: bool = False) -> SearchSql:
    """Every word must match (or, with `any_word`, at least one); the last may be a
    prefix, so results follow the typing."""
    if is_sqlite():
        joiner = " OR " if any_word else " "
        match = joiner.join([*(f'"{w}"' for w in words[:-1]), f'"{words[-1]}"*']).strip()
        bound = SQLITE_BOUND.format(skip=RANKED_AT_MOST - 1)
        return SearchSql(
            join="JOIN idea_fts ON idea_fts.rowid = i.id",
            condition="idea_fts MATCH {} AND idea_fts.rowid >= " + bound,
            condition_args=[match, match],
            relevance=SQLITE_RELEVANCE,
            relevance_args=[],
            highlights=(
                "highlight(idea_fts, 0, {}, {}) AS title_marked, "
                "snippet(idea_fts, 1, {}, {}, '…', 24) AS snippet_marked"
            ),
            highlight_args=[MARK_START, MARK_END, MARK_START, MARK_END],
            narrow="INDEXED BY idea_search_filter",
            matches=SQLITE_MATCHES.format(relevance=SQLITE_RELEVANCE, bound=bound),
            found_condition="idea_fts MATCH {}",
            found_condition_args=[match],
        )
    query = (" | " if any_word else " & ").join([*words[:-1], f"{words[-1]}:*"])
    tsquery = "to_tsquery('english', {})"
    options = f"StartSel={MARK_START}, StopSel={MARK_END}"
    return SearchSql(
        join="",
        condition=f"i.search_vector @@ {tsquery}",
        condition_args=[query],
        relevance=f"ts_rank_cd(i.search_vector, {tsquery})",
        relevance_args=[query],
        highlights=(
            f"ts_headline('english', i.title, {tsquery}, {{}}) AS title_marked, "
            f"ts_headline('english', i.body, {tsquery}, {{}}) AS snippet_marked"
        ),
        highlight_args=[
            query,
            f"{options}, HighlightAll=true",
            query,
            f"{options}, MaxWords=30, MinWords=12",
        ],
    )


_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
_MARKDOWN_SIGNS = re.compile(r"[*_`#>|]+|\[|\]\([^)]*\)")


def highlighted(marked: str, *, markdown: bool = False) -> Markup:
    """Escaped text with the matched words in <mark> (Markdown signs dropped if asked)."""
    text = " ".join((_MARKDOWN_SIGNS.sub("", marked) if markdown else marked).split())
    result = Markup("")
    for piece in _MARKS.split(text):
        if piece == MARK_START:
            result += Markup("<mark>")
        elif piece == MARK_END:
            result += Markup("</mark>")
        else:
            result += piece  # a plain str is escaped as it joins Markup
    return result


@dataclass(frozen=True)
class Match:
    """How an idea matched a search: its title and a passage, words highlighted."""

    title: Markup
    snippet: Markup
