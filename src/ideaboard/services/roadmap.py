"""The roadmap: what is planned, what is being done and what was done lately, for the
whole company or one department. Everyone's ideas only (the board's visibility)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ideaboard.domain import Status
from ideaboard.services.clock import now
from ideaboard.services.departments import DepartmentRow, all_departments
from ideaboard.services.visibility import public_sql
from ideaboard.tables import Idea

COLUMN_SIZE = 30
RECENTLY_DONE = timedelta(days=90)

SELECT = f"""
SELECT i.id, i.title, i.vote_count, i.comment_count, d.name AS department,
       o.name AS owner_name, i.last_update_at, i.created_at
FROM idea i
JOIN department d ON d.id = i.department
LEFT JOIN account o ON o.id = i.owner
WHERE {public_sql("i")} AND i.status = {{}}
"""  # noqa: S608 (only constants go in: the visibility rule)
# Planned and in progress: the most wanted first; done: the latest first.
ORDERS = {
    Status.PLANNED: "ORDER BY i.vote_count DESC, i.id DESC",
    Status.IN_PROGRESS: "ORDER BY i.vote_count DESC, i.id DESC",
    Status.DONE: "ORDER BY COALESCE(i.last_update_at, i.created_at) DESC, i.id DESC",
}


@dataclass(frozen=True)
class RoadmapIdea:
    id: int
    title: str
    vote_count: int
    comment_count: int
    department: str
    owner_name: str | None
    last_update_at: datetime | None
    created_at: datetime

    @property
    def moved_at(self) -> datetime:
        """When it last moved: its latest update, else when it was proposed."""
        return self.last_update_at or self.created_at


@dataclass(frozen=True)
class RoadmapColumn:
    status: Status
    ideas: list[RoadmapIdea]
    more: bool  # more than are shown: the board lists them all


@dataclass(frozen=True)
class Roadmap:
    columns: list[RoadmapColumn]
    departments: list[DepartmentRow]
    department_id: int | None


async def get_roadmap(department_id: int | None) -> Roadmap:
    departments = await all_departments()
    if department_id not in {d.id for d in departments}:
        department_id = None
    columns = []
    for status in (Status.PLANNED, Status.IN_PROGRESS, Status.DONE):
        sql = SELECT
        args: list[Any] = [status.value]
        if department_id is not None:
            sql += " AND i.department = {}"
            args.append(department_id)
        if status is Status.DONE:
            sql += " AND COALESCE(i.last_update_at, i.created_at) >= {}"
            args.append(now() - RECENTLY_DONE)
        rows: list[dict[str, Any]] = await Idea.raw(
            f"{sql} {ORDERS[status]} LIMIT {{}}", *args, COLUMN_SIZE + 1
        )
        columns.append(
            RoadmapColumn(
                status=status,
                ideas=[RoadmapIdea(**row) for row in rows[:COLUMN_SIZE]],
                more=len(rows) > COLUMN_SIZE,
            )
        )
    return Roadmap(columns=columns, departments=departments, department_id=department_id)
