"""The board: ideas sorted and filtered, a page at a time (keyset pagination)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ideaboard.domain import CLOSED_STATUSES, STATUS_LABELS, Actor, Sort, Status
from ideaboard.i18n import lazy_gettext
from ideaboard.services import search
from ideaboard.services.ideas import VIEW_COLUMNS, VIEW_JOINS, IdeaView, idea_view
from ideaboard.services.validation import has_control_characters, in_integer_range, parse_id
from ideaboard.tables import Idea

PAGE_SIZE = 30
SEARCH_MAX = 200

# The filters' choices, worded in the reader's language when shown.
STATUS_FILTERS: dict[str, Any] = {
    "open": lazy_gettext("Open ideas"),
    "all": lazy_gettext("All statuses"),
} | {s.value: STATUS_LABELS[s] for s in Status}
SCOPES: dict[str, Any] = {
    "all": lazy_gettext("Everyone's ideas"),
    "for_mine": lazy_gettext("Ideas for my department"),
    "from_outside": lazy_gettext("Ideas from outside my department"),
}


@dataclass(frozen=True)
class BoardQuery:
    """What the reader asked the board for; unknown values fall back to the defaults."""

    sort: Sort = Sort.HOT
    department_id: int | None = None
    status: str = "open"
    scope: str = "all"
    search: str = ""
    after: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> BoardQuery:
        sort = params.get("sort", "")
        status = params.get("status", "")
        scope = params.get("scope", "")
        search = " ".join(params.get("q", "").split())[:SEARCH_MAX]
        return cls(
            sort=Sort(sort) if sort in Sort.__members__.values() else Sort.HOT,
            department_id=parse_id(params.get("department", "")),
            status=status if status in STATUS_FILTERS else "open",
            scope=scope if scope in SCOPES else "all",
            search="" if has_control_characters(search) else search,
            after=params.get("after", "")[:80],
        )

    @property
    def active_filters(self) -> int:
        """How many of the filters are not their default: "Filters (n)"."""
        return sum([self.department_id is not None, self.status != "open", self.scope != "all"])

    def to_params(self, **changes: Any) -> dict[str, str]:
        """Query parameters for a link to this board view, minus the defaults."""
        query = replace(self, **changes)
        values = {
            "sort": query.sort.value,
            "department": str(query.department_id or ""),
            "status": query.status,
            "scope": query.scope,
            "q": query.search,
            "after": query.after,
        }
        return {k: v for k, v in values.items() if v and v != DEFAULT_PARAMS[k]}


# What a link leaves out; a board page makes half a dozen links, so worked out once.
DEFAULT_PARAMS = {
    "sort": Sort.HOT.value,
    "department": "",
    "status": BoardQuery.status,
    "scope": BoardQuery.scope,
    "q": "",
    "after": "",
}


@dataclass(frozen=True)
class BoardPage:
    ideas: list[IdeaView]
    next_cursor: str | None


# ({{}}: formatted once more with the sort key and the search's parts.)
SELECT = (
    "SELECT "
    + VIEW_COLUMNS.replace("{}", "{{}}")
    + ",\n       {sort_key} AS sort_key{highlights}\n"
    "FROM idea i\n" + VIEW_JOINS + "\n{search_join}\n"
)

# Each key is served in order by an index on (key, id): see the board sort migrations.
SORT_KEYS = {
    Sort.HOT: "i.hot_score",
    Sort.TOP: "i.vote_count",
    Sort.NEW: "i.id",
    Sort.TRENDING: "i.trending_votes",
}


def _parse_cursor(cursor: str, kind: type[float] | type[int]) -> tuple[float | int, int] | None:
    """The last row's sort key and id, from "key~id"; None when it does not parse."""
    if not cursor:
        return None
    key, _, last_id = cursor.partition("~")
    try:
        number = kind(key[:40])
    except ValueError:
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    if isinstance(number, int) and not in_integer_range(number):
        return None
    idea_id = parse_id(last_id)
    return None if idea_id is None else (number, idea_id)


def _cursor(record: dict[str, Any]) -> str:
    return f"{record['sort_key']!r}~{record['id']}"


# Only what everyone may read is on the board, in search results and among similar
# ideas; hidden and unapproved ideas are found in the moderation queue.
VISIBLE = "i.approval = 'approved' AND NOT i.hidden"


# A search's ranking alone: scoring every match is its cost, and reading each match's
# whole row (and joining its author) beside it would double that.
RANKED = """
SELECT i.id, {sort_key} AS sort_key
FROM idea i {narrow}
{search_join}
"""


def board_sql(
    query: BoardQuery, *, reader: Actor, ids_only: bool = False, page_size: int = PAGE_SIZE
) -> tuple[str, list[Any]] | None:
    """The SQL (Piccolo `{}` placeholders) and arguments for one page of the board, with
    whether the reader voted for each idea; with `ids_only`, only each idea's id and sort
    key. None when the search has no words (only punctuation), so nothing can match."""
    words = search.terms(query.search)
    if query.search and not words:
        return None
    found = search.search_sql(words) if words else None
    sort_key = found.relevance if found else SORT_KEYS[query.sort]
    sort_key_args = found.relevance_args if found else []

    conditions, args = _filters(query, reader_department_id=reader.department_id)
    if found:
        conditions.append(found.condition)
        args.extend(found.condition_args)
    cursor = _parse_cursor(query.after, float if found or query.sort is Sort.HOT else int)
    if cursor is not None:
        key, last_id = cursor
        if sort_key == "i.id":
            conditions.append("i.id < {}")
            args.append(last_id)
        else:
            conditions.append(f"({sort_key} < {{}} OR ({sort_key} = {{}} AND i.id < {{}}))")
            args.extend([*sort_key_args, key, *sort_key_args, key, last_id])

    join = found.join if found else ""
    if ids_only:
        narrow = found.narrow if found else ""
        sql = RANKED.format(sort_key=sort_key, search_join=join, narrow=narrow)
        select_args = [*sort_key_args]
    else:
        highlights = f", {found.highlights}" if found else ""
        sql = SELECT.format(sort_key=sort_key, highlights=highlights, search_join=join)
        select_args = [reader.id, *sort_key_args, *(found.highlight_args if found else [])]
    sql += "WHERE " + " AND ".join(conditions) + "\n"
    sql += "ORDER BY sort_key DESC, i.id DESC\nLIMIT {}"
    return sql, [*select_args, *args, page_size + 1]


def _filters(query: BoardQuery, *, reader_department_id: int) -> tuple[list[str], list[Any]]:
    """The view's conditions on an idea (what may be shown, status, department, scope)."""
    conditions: list[str] = [VISIBLE]
    args: list[Any] = []
    if query.status == "open":
        conditions.append(f"i.status NOT IN ({', '.join('{}' for _ in CLOSED_STATUSES)})")
        args.extend(sorted(s.value for s in CLOSED_STATUSES))
    elif query.status != "all":
        conditions.append("i.status = {}")
        args.append(query.status)
    if query.department_id:
        conditions.append("i.department = {}")
        args.append(query.department_id)
    if query.scope == "for_mine":
        conditions.append("i.department = {}")
        args.append(reader_department_id)
    elif query.scope == "from_outside":
        conditions.append("i.author_department <> {}")
        args.append(reader_department_id)
    return conditions, args


async def list_board(query: BoardQuery, reader: Actor, *, page_size: int = PAGE_SIZE) -> BoardPage:
    """One page of the board; the cost does not depend on how deep the page is.

    With a search, ideas are ranked by relevance (best match first) and carry their
    highlighted title and passage; the filters apply as usual.
    """
    built = board_sql(query, reader=reader, ids_only=bool(query.search), page_size=page_size)
    if built is None:
        return BoardPage(ideas=[], next_cursor=None)
    sql, args = built
    if query.search:
        found = search.search_sql(search.terms(query.search))
        ranked = (
            await _ranked_in_the_index(found, query, limit=page_size + 1)
            if _is_broad(query)
            else None
        )
        if ranked is None:
            ranked = await Idea.raw(sql, *args)
        records = await _searched(found, ranked, reader)
    else:
        records = await Idea.raw(sql, *args)
    more = len(records) > page_size
    return BoardPage(
        ideas=[_view(record, reader) for record in records[:page_size]],
        next_cursor=_cursor(records[page_size - 1]) if more else None,
    )


# A broad search on SQLite ranks this many of the best matches in the full-text index
# alone, then keeps those the view shows (most of them: the filters pass four ideas in
# five). Filtering every match first, by joining it to its idea, made the ranking a
# quarter dearer (bench, 100,000 ideas: 29 against 23 ms a search, same results).
CANDIDATES = 100
# The best CANDIDATES matches, each with whether the view shows it: the filters are
# tried on those rows only, after the ranking (in one statement).
BEST_MATCHES = """
SELECT c.id, c.sort_key, CASE WHEN {conditions} THEN 1 ELSE 0 END AS shown
FROM (SELECT id, sort_key FROM ({matches}) {after} ORDER BY sort_key DESC, id DESC LIMIT {{}}) c
JOIN idea i {narrow} ON i.id = c.id
ORDER BY c.sort_key DESC, c.id DESC
"""


def _is_broad(query: BoardQuery) -> bool:
    """A view whose filters pass most ideas: all departments, open or all statuses."""
    return not query.department_id and query.scope == "all" and query.status in ("open", "all")


async def _ranked_in_the_index(
    found: search.SearchSql, query: BoardQuery, *, limit: int = PAGE_SIZE + 1
) -> list[dict[str, Any]] | None:
    """The best `limit` matches' ids and scores, ranked in the full-text index; None
    where that cannot be told from the best CANDIDATES matches (too few of them are
    shown), or on PostgreSQL, whose ranking reads the ideas' rows anyway."""
    if not found.matches:
        return None
    after, args = "", [*found.condition_args]
    cursor = _parse_cursor(query.after, float)
    if cursor is not None:
        key, last_id = cursor
        after = "WHERE sort_key < {} OR (sort_key = {} AND id < {})"
        args.extend([key, key, last_id])
    conditions, condition_args = _filters(query, reader_department_id=0)
    sql = BEST_MATCHES.format(
        conditions=" AND ".join(conditions), matches=found.matches, after=after,
        narrow=found.narrow,
    )  # fmt: skip
    candidates = await Idea.raw(sql, *condition_args, *args, CANDIDATES)
    ranked = [row for row in candidates if row["shown"]][:limit]
    if len(ranked) < limit and len(candidates) == CANDIDATES:
        return None  # more of them may be found below the candidates
    return ranked


async def _searched(
    found: search.SearchSql, ranked: list[dict[str, Any]], reader: Actor
) -> list[dict[str, Any]]:
    """A search's page in two steps: the matches ranked (ids and scores), then the
    page's rows read with their highlighted title and passage, in that order. (In one
    query SQLite read every match's whole row before keeping 31: at 100,000 ideas a
    search took 44 ms on average over the bench's 40 words, 29 ms in two.)"""
    if not ranked:
        return []
    ids = [row["id"] for row in ranked]
    sql = SELECT.format(
        sort_key=found.relevance, highlights=f", {found.highlights}", search_join=found.join
    )
    condition, condition_args = found.rows_condition
    sql += f"WHERE i.id IN ({', '.join('{}' for _ in ids)}) AND {condition}"
    rows = await Idea.raw(
        sql, reader.id, *found.relevance_args, *found.highlight_args, *ids, *condition_args
    )
    by_id = {row["id"]: row for row in rows}
    return [by_id[r["id"]] | {"sort_key": r["sort_key"]} for r in ranked if r["id"] in by_id]


SIMILAR_LIMIT = 5
MIN_SIMILAR_LENGTH = 3


async def list_similar(text: str, reader: Actor) -> list[IdeaView]:
    """Ideas that look like what is being typed (any status), best match first.

    Shown while someone writes a new idea, so they can vote instead of posting a duplicate.
    """
    words = search.terms(text, drop_common=True)
    if len(text.strip()) < MIN_SIMILAR_LENGTH or not words:
        return []
    found = search.search_sql(words, any_word=True)
    ranked = await _ranked_in_the_index(found, BoardQuery(status="all"), limit=SIMILAR_LIMIT)
    if ranked is None:
        ranking = RANKED.format(
            sort_key=found.relevance, search_join=found.join, narrow=found.narrow
        )
        ranking += (
            f"WHERE {VISIBLE} AND {found.condition}\nORDER BY sort_key DESC, i.id DESC\nLIMIT {{}}"
        )
        args = [*found.relevance_args, *found.condition_args, SIMILAR_LIMIT]
        ranked = await Idea.raw(ranking, *args)
    records = await _searched(found, ranked, reader)
    return [_view(record, reader) for record in records]


def _view(record: dict[str, Any], reader: Actor) -> IdeaView:
    fields = dict(record)
    fields.pop("sort_key")
    voted = fields.pop("voted")
    title_marked = fields.pop("title_marked", None)
    snippet_marked = fields.pop("snippet_marked", None)
    match = (
        search.Match(
            title=search.highlighted(title_marked),
            snippet=search.highlighted(snippet_marked or "", markdown=True),
        )
        if title_marked is not None
        else None
    )
    return idea_view(fields, reader, voted=bool(voted), match=match)
