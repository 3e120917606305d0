"""EXPLAIN evidence: every board sort and filter reads its page in index order, on both
databases, so a page costs the same at 1,000 and at 100,000 ideas (no sort of the
whole board per page view)."""

from __future__ import annotations

import pytest

from conftest import Client, Personas, make_idea
from ideaboard.db import current_engine, is_sqlite
from ideaboard.domain import Actor, Role, Sort
from ideaboard.services.board import BoardQuery, board_sql
from ideaboard.services.clock import now
from ideaboard.services.triage import LANE_INDEXES, lane_sql
from ideaboard.tables import Idea

# Plans read on tables as a new board has them, not with the statistics the tests before
# left (a tiny analysed table makes any index look as good as the right one).
pytestmark = pytest.mark.fresh_statistics

FILTERS = {
    "open ideas (default)": {},
    "all statuses": {"status": "all"},
    "one status": {"status": "planned"},
    "one department": {"department": "DEPT"},
    "for my department": {"scope": "for_mine"},
    "from outside my department": {"scope": "from_outside"},
    "department and status": {"department": "DEPT", "status": "new"},
}
CURSORS = {Sort.HOT: "1.5~3", Sort.TOP: "2~3", Sort.NEW: "3~3", Sort.TRENDING: "1~3"}


async def plan_of(sql: str, args: list[object]) -> str:
    if is_sqlite():
        rows = await Idea.raw("EXPLAIN QUERY PLAN " + sql, *args)
        return "\n".join(row["detail"] for row in rows)
    # On a tiny table PostgreSQL rightly prefers a sequential scan and a sort of its few
    # rows; forbidding both (a forbidden plan is still chosen when nothing else can answer)
    # shows whether an index serves the page in order, as it must once the board is big.
    async with current_engine().transaction():
        await Idea.raw("SET LOCAL enable_seqscan = off")
        await Idea.raw("SET LOCAL enable_sort = off")
        rows = await Idea.raw("EXPLAIN " + sql, *args)
    return "\n".join(row["QUERY PLAN"] for row in rows)


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("paged", [False, True], ids=["first page", "later page"])
async def test_every_sort_and_filter_is_served_by_an_index(
    client: Client, board: Personas, sort: Sort, paged: bool
) -> None:
    for n in range(5):
        await make_idea(board.mia, board.it, title=f"Idea {n}")
    for name, params in FILTERS.items():
        values = {k: v.replace("DEPT", str(board.it)) for k, v in params.items()}
        query = BoardQuery.from_params(
            {"sort": sort.value, **values, **({"after": CURSORS[sort]} if paged else {})}
        )
        built = board_sql(query, reader=Actor(id=1, role=Role.MEMBER, department_id=board.it))
        assert built is not None
        sql, args = built
        plan = await plan_of(sql, args)
        if is_sqlite():
            assert "TEMP B-TREE FOR ORDER BY" not in plan, (sort, name, plan)
            reads_ideas = next(line for line in plan.splitlines() if " i " in f"{line} ")
            in_order = "USING INDEX idea_" in reads_ideas or "INTEGER PRIMARY KEY" in reads_ideas
            assert in_order or (sort is Sort.NEW and reads_ideas == "SCAN i"), (sort, name, plan)
        else:
            assert "Sort" not in plan, (sort, name, plan)
            assert "Index Scan" in plan and " on idea i" in plan, (sort, name, plan)


@pytest.mark.parametrize("lane", ["needs_owner", "routed", "closed", "mine"])
async def test_every_triage_lane_reads_its_own_index(
    client: Client, board: Personas, lane: str
) -> None:
    """A lane's page comes in order from its index (no sort of the department's ideas)
    and its count from that index alone: at 100,000 ideas a triage page took ~100 ms
    without them, ~2 ms with them."""
    for n in range(5):
        await make_idea(board.mia, board.it, title=f"Idea {n}")
    manager = Actor(id=board.ada.id, role=Role.MEMBER, department_id=board.it)
    page_sql, count_sql, args = lane_sql(lane, [board.it], manager, now())
    page_plan = await plan_of(page_sql, [*args, 50, 0])
    count_plan = await plan_of(count_sql, args)
    index = LANE_INDEXES[lane]
    assert index in page_plan and index in count_plan, (page_plan, count_plan)
    if is_sqlite():
        inner = page_plan.split("SCAN page")[0]  # the ideas' ids, before their rows
        assert "TEMP B-TREE" not in inner, page_plan
    else:
        assert "Sort" not in page_plan.split("Limit")[1].split("->  Nested")[0], page_plan
