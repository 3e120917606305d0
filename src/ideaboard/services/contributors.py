"""Who brings ideas to the board: each person's ideas proposed and shipped (done), for
/insights' list of contributors and the recognition on their own account page.

Only ideas everyone can see count, under the author's name: an anonymous idea never
counts towards anybody, nor does a duplicate (its votes went to the original). People
who chose not to be listed (`account.listed_as_contributor`) are left out of the list,
and deactivated people too. The counts are kept in `contributor`: recounted for the
authors of ideas with news by the insights loop, and for everyone each night.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.services.insights_scope import Scope
from ideaboard.services.visibility import public_sql
from ideaboard.tables import Contributor, Idea

LISTED = 20
# What counts for a person: their public ideas under their name, not merged away.
COUNTS = f"""
SELECT i.author AS account, COUNT(*) AS proposed,
       SUM(CASE WHEN i.status = 'done' THEN 1 ELSE 0 END) AS shipped
FROM idea i
WHERE {public_sql("i")} AND NOT i.anonymous AND i.merged_into IS NULL {{only}}
GROUP BY i.author
"""  # noqa: S608 (only constants go in: the visibility rule)
UPSERT = """
INSERT INTO contributor (account, proposed, shipped, counted_at) VALUES ({}, {}, {}, {})
ON CONFLICT (account) DO UPDATE SET
    proposed = excluded.proposed, shipped = excluded.shipped, counted_at = excluded.counted_at
"""
# The list, most shipped first: the first `reach` in the ranked index's order, then who
# of them is listed (looked up one by one: joined the other way, or with a planner
# that reaches for a bloom filter, every account is read; `reach` is written in, as a
# bound limit would leave SQLite guessing how many rows come).
TOP = """
SELECT c.account, a.name, d.name AS department, c.proposed, c.shipped
FROM (SELECT account, proposed, shipped FROM contributor WHERE proposed > 0
      ORDER BY shipped DESC, proposed DESC, account LIMIT {reach}) c
CROSS JOIN account a CROSS JOIN department d
WHERE a.id = c.account AND d.id = a.department
  AND a.active AND a.listed_as_contributor {only}
ORDER BY c.shipped DESC, c.proposed DESC, c.account
LIMIT {{}}
"""


@dataclass(frozen=True)
class ContributorRow:
    account: int
    name: str
    department: str
    proposed: int
    shipped: int


async def count_people(people: Iterable[int]) -> int:
    """Recount these people; returns how many."""
    ids = sorted(set(people))
    if not ids:
        return 0
    marks = ", ".join("{}" for _ in ids)
    found = {
        row["account"]: row
        for row in await Idea.raw(COUNTS.format(only=f"AND i.author IN ({marks})"), *ids)
    }
    moment = now()
    async with write_transaction():
        for person in ids:
            row = found.get(person, {})
            await Contributor.raw(
                UPSERT, person, row.get("proposed", 0), row.get("shipped", 0) or 0, moment
            )
    return len(ids)


async def count_everyone() -> int:
    """Every person's counts afresh: one pass over the ideas, at night."""
    rows = await Idea.raw(COUNTS.format(only=""))
    moment = now()
    async with write_transaction():
        await Contributor.update({Contributor.proposed: 0, Contributor.shipped: 0}, force=True)
        for row in rows:
            await Contributor.raw(
                UPSERT, row["account"], row["proposed"], row["shipped"] or 0, moment
            )
    return len(rows)


async def top_contributors(scope: Scope, limit: int = LISTED) -> list[ContributorRow]:
    """The people of the scope's departments who brought the most, shipped first."""
    only = ""
    args: list[object] = []
    if not scope.everything:
        only = "AND a.department IN (" + ", ".join("{}" for _ in scope.departments) + ")"
        args = list(scope.departments)
    reach = 10 * limit  # the ranked people to look at: most are listed
    while True:
        rows = await Contributor.raw(TOP.format(only=only, reach=reach), *args, limit)
        if len(rows) >= limit or reach >= await Contributor.count():
            return [ContributorRow(**row) for row in rows]
        reach *= 10  # a manager's few people among many, or many who left the list


async def recognition(account: int) -> ContributorRow | None:
    """One person's own counts, for their account page (listed or not)."""
    row = await Contributor.select(Contributor.proposed, Contributor.shipped).where(
        Contributor.account == account
    ).first()  # fmt: skip
    if row is None or not row["proposed"]:
        return None
    return ContributorRow(account, "", "", row["proposed"], row["shipped"])
