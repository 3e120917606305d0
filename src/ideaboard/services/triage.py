"""The triage: managers route their departments' top ideas to owners, and owners answer.

Lanes for the departments a person manages (every department for moderators and admins):
**Needs owner** (open, unowned; ideas past the routing threshold first), **Routed to
owners** (oldest update first, silent ones highlighted as stale), **Recently closed**.
Everyone also has **My ideas to handle**: the open ideas routed to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from ideaboard.db import is_sqlite
from ideaboard.domain import (
    CLOSED_STATUSES,
    RECENTLY_CLOSED,
    Actor,
    Status,
    StatusRole,
    TriageRole,
    can_set_threshold,
    can_triage,
    can_update_status,
    days_since,
    is_stale,
    needs_owner,
    update_choices,
)
from ideaboard.i18n import gettext, lazy_gettext
from ideaboard.services.clock import now
from ideaboard.services.errors import NotFound, require
from ideaboard.services.validation import parse_id
from ideaboard.tables import Department, DepartmentManager, Idea

LANE_SIZE = 20
CLOSED = sorted(status.value for status in CLOSED_STATUSES)


# --- Who triages what ------------------------------------------------------------------


async def list_managed_department_ids(user_id: int) -> list[int]:
    rows = await DepartmentManager.select(DepartmentManager.department).where(
        DepartmentManager.manager == user_id
    )
    return sorted(row["department"] for row in rows)


async def find_triage_role(actor: Actor, department_id: int) -> TriageRole:
    manages = await DepartmentManager.exists().where(
        DepartmentManager.manager == actor.id, DepartmentManager.department == department_id
    )
    return TriageRole(manages_department=bool(manages))


@dataclass(frozen=True)
class TriageDepartment:
    id: int
    name: str
    routing_threshold: int
    can_set_threshold: bool
    managed: bool  # by this person


DEPARTMENTS = """
SELECT d.id, d.name, d.routing_threshold,
       EXISTS (SELECT 1 FROM department_manager m
               WHERE m.department = d.id AND m.manager = {}) AS managed
FROM department d
WHERE NOT d.archived
ORDER BY d.name
"""


async def list_triage_departments(actor: Actor) -> list[TriageDepartment]:
    """The departments whose lanes this person sees: the ones they manage, or all of them
    for moderators and admins."""
    rows = await Department.raw(DEPARTMENTS, actor.id)
    return [
        TriageDepartment(
            id=row["id"],
            name=row["name"],
            routing_threshold=row["routing_threshold"],
            can_set_threshold=bool(
                can_set_threshold(actor, TriageRole(manages_department=bool(row["managed"])))
            ),
            managed=bool(row["managed"]),
        )
        for row in rows
        if actor.is_moderator or row["managed"]
    ]


# --- Lanes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageIdea:
    id: int
    title: str
    status: Status
    vote_count: int
    comment_count: int
    department_id: int
    department: str
    routing_threshold: int
    owner_id: int | None
    owner_name: str | None
    owner_email: str | None
    created_at: datetime
    last_update_at: datetime | None
    needs_owner_since: datetime | None
    merged_into: int | None
    moment: datetime

    @property
    def owner_label(self) -> str:
        """What the Owner field shows: a name and the email that identifies them."""
        return f"{self.owner_name} <{self.owner_email}>" if self.owner_id else ""

    @property
    def past_threshold(self) -> bool:
        return needs_owner(
            status=self.status,
            owner_id=self.owner_id,
            votes=self.vote_count,
            threshold=self.routing_threshold,
        )

    @property
    def days_silent(self) -> int:
        return days_since(self.last_update_at or self.created_at, self.moment)

    @property
    def stale(self) -> bool:
        return is_stale(self.last_update_at, self.created_at, self.moment)


ROW = """
SELECT i.id, i.title, i.status, i.vote_count, i.comment_count,
       d.id AS department_id, d.name AS department, d.routing_threshold,
       o.id AS owner_id, o.name AS owner_name, o.email AS owner_email,
       i.created_at, i.last_update_at, i.needs_owner_since, i.merged_into
FROM {ideas}
JOIN department d ON d.id = i.department
LEFT JOIN account o ON o.id = i.owner
"""
# A lane's page: its ideas' ids in the lane's order, read from the lane's own index
# (see the triage lane indexes' migration: they hold only the lane's ideas, in its
# order, so the page reads 50 rows, not the department's thousands), then their rows.
LANE_PAGE = "SELECT i.id FROM idea i WHERE {where} ORDER BY {order} LIMIT {{}} OFFSET {{}}"
LANE_ROWS = ROW.format(ideas="({page}) page JOIN idea i ON i.id = page.id") + "ORDER BY {order}"
# Counted from the lane's index alone. SQLite would rather count through the triage
# index (department, owner), reading every row for the rest: told which one to use.
LANE_COUNT = "SELECT COUNT(*) AS n FROM idea i {index} WHERE {where}"
LANE_INDEXES = {
    "needs_owner": "idea_lane_needs_owner",
    "routed": "idea_lane_routed",
    "closed": "idea_lane_closed",
    "mine": "idea_lane_mine",
}
# Written out, as the lane indexes say them (PostgreSQL matches a partial index only to
# the same conditions, which a prepared statement's parameters are not).
CLOSED_LIST = ", ".join(f"'{status}'" for status in CLOSED)
VISIBLE = "i.approval = 'approved' AND NOT i.hidden"
OPEN = f"{VISIBLE} AND i.status NOT IN ({CLOSED_LIST})"
ORDERS = {
    # Past the threshold first (the routing rule), then by votes.
    "needs_owner": "CASE WHEN i.needs_owner_since IS NULL THEN 1 ELSE 0 END,"
    " i.vote_count DESC, i.id DESC",
    # The owner who has been silent longest first.
    "routed": "COALESCE(i.last_update_at, i.created_at), i.id",
    "closed": "COALESCE(i.last_update_at, i.created_at) DESC, i.id DESC",
    "mine": "COALESCE(i.last_update_at, i.created_at), i.id",
}


def _lane_where(lane: str, department_ids: list[int]) -> str:
    """The lane's condition, with Piccolo's `{}` placeholders (see `_lane_args`)."""
    if lane == "mine":
        return "i.owner = {} AND " + OPEN
    departments = "i.department IN (" + ", ".join("{}" for _ in department_ids) + ")"
    if lane == "needs_owner":
        return departments + " AND i.owner IS NULL AND " + OPEN
    if lane == "routed":
        return departments + " AND i.owner IS NOT NULL AND " + OPEN
    return (
        f"{departments} AND {VISIBLE} AND i.status IN ({CLOSED_LIST})"
        " AND COALESCE(i.last_update_at, i.created_at) >= {}"
    )


def _lane_args(lane: str, department_ids: list[int], actor: Actor, moment: datetime) -> list[Any]:
    if lane == "mine":
        return [actor.id]
    if lane == "closed":
        return [*department_ids, moment - RECENTLY_CLOSED]
    return [*department_ids]


@dataclass(frozen=True)
class Lane:
    key: str
    title: str
    ideas: list[TriageIdea]
    total: int
    page: int = 1

    @property
    def next_page(self) -> int | None:
        """The page after this one, when the lane holds more ideas than shown so far."""
        return self.page + 1 if self.page * LANE_SIZE < self.total else None

    @property
    def first(self) -> int:
        """The number of this page's first idea in the lane (1 on the first page)."""
        return (self.page - 1) * LANE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.ideas) - 1

    @property
    def next_count(self) -> int:
        """How many ideas the next page shows."""
        return min(self.total - self.page * LANE_SIZE, LANE_SIZE)


LANE_TITLES = {
    "needs_owner": lazy_gettext("Needs owner"),
    "routed": lazy_gettext("Routed to owners"),
    "closed": lazy_gettext("Recently closed"),
    "mine": lazy_gettext("My ideas to handle"),
}


def lane_sql(
    lane: str, department_ids: list[int], actor: Actor, moment: datetime
) -> tuple[str, str, list[Any]]:
    """A lane's page (its arguments, then LIMIT and OFFSET) and count, and their arguments."""
    where = _lane_where(lane, department_ids)
    order = ORDERS[lane]
    page_sql = LANE_ROWS.format(page=LANE_PAGE.format(where=where, order=order), order=order)
    index = f"INDEXED BY {LANE_INDEXES[lane]}" if is_sqlite() else ""
    count_sql = LANE_COUNT.format(index=index, where=where)
    return page_sql, count_sql, _lane_args(lane, department_ids, actor, moment)


async def list_lane(
    lane: str,
    actor: Actor,
    department_ids: list[int],
    *,
    moment: datetime | None = None,
    page: int = 1,
) -> Lane:
    """One page of a lane (LANE_SIZE ideas)."""
    moment = moment or now()
    if lane != "mine" and not department_ids:
        return Lane(key=lane, title=str(LANE_TITLES[lane]), ideas=[], total=0)
    page_sql, count_sql, args = lane_sql(lane, department_ids, actor, moment)
    offset = (page - 1) * LANE_SIZE
    rows = await Idea.raw(page_sql, *args, LANE_SIZE, offset)
    total = (await Idea.raw(count_sql, *args))[0]["n"]
    ideas = [_triage_idea(row, moment) for row in rows]
    return Lane(key=lane, title=str(LANE_TITLES[lane]), ideas=ideas, total=int(total), page=page)


def _triage_idea(row: dict[str, Any], moment: datetime) -> TriageIdea:
    return TriageIdea(**{**row, "status": Status(row["status"]), "moment": moment})


def list_status_choices(
    actor: Actor, ideas: list[TriageIdea], managed: set[int]
) -> dict[int, tuple[Status, ...]]:
    """The Status select of each row, from what the rows already hold and the departments
    the person manages (`managed`)."""
    return {
        idea.id: update_choices(
            idea.status,
            actor,
            StatusRole(
                is_owner=idea.owner_id == actor.id,
                manages_department=idea.department_id in managed,
            ),
            merged=idea.merged_into is not None,
        )
        for idea in ideas
    }


LANES = ("needs_owner", "routed", "closed")
PAGES_MAX = 10_000


@dataclass(frozen=True)
class TriageQuery:
    department_id: int | None = None
    view: str = "lanes"  # or "mine": the ideas routed to me
    lane: str = "needs_owner"  # the lane in front (a phone shows one at a time)
    page: int = 1  # of that lane

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> TriageQuery:
        mine = params.get("owner") == "me"
        lane = params.get("lane", "")
        page = parse_id(params.get("page", "")) or 1
        return cls(
            department_id=parse_id(params.get("department", "")),
            view="mine" if mine else "lanes",
            lane=lane if lane in LANES else "needs_owner",
            page=min(page, PAGES_MAX),
        )

    def link(self, **changes: Any) -> str:
        """The triage's address for this view with `changes` (lane, page, ...)."""
        values = {"department": self.department_id or "", "owner": "me" if self.view == "mine"
                  else "", "lane": self.lane, "page": self.page} | changes  # fmt: skip
        if values["lane"] == "needs_owner":
            values["lane"] = ""
        if values["page"] == 1:
            values["page"] = ""
        params = {k: str(v) for k, v in values.items() if v}
        return "/triage" + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class TriageBoard:
    departments: list[TriageDepartment]
    selected: list[TriageDepartment]
    lanes: list[Lane]
    mine: Lane
    can_triage: bool

    @property
    def managed(self) -> set[int]:
        """The departments this person manages (moderators see others' too)."""
        return {department.id for department in self.departments if department.managed}


async def get_triage(actor: Actor, query: TriageQuery) -> TriageBoard:
    departments = await list_triage_departments(actor)
    selected = [d for d in departments if query.department_id in {None, d.id}]
    ids = [d.id for d in selected]
    moment = now()
    lanes = (
        [
            await list_lane(
                key, actor, ids, moment=moment, page=query.page if key == query.lane else 1
            )
            for key in LANES
        ]
        if departments and query.view == "lanes"
        else []
    )
    return TriageBoard(
        departments=departments,
        selected=selected,
        lanes=lanes,
        mine=await list_lane(
            "mine", actor, [], moment=moment, page=query.page if query.view == "mine" else 1
        ),
        can_triage=bool(departments),
    )


async def get_triage_idea(actor: Actor, idea_id: int) -> TriageIdea:
    """One row of the triage, for those who route or answer the idea (its owner)."""
    rows = await Idea.raw(ROW.format(ideas="idea i") + "WHERE i.id = {}", idea_id)
    if not rows:
        raise NotFound(gettext("This idea does not exist."))
    idea = _triage_idea(rows[0], now())
    role = await find_triage_role(actor, idea.department_id)
    require_triage_or_answer(actor, role, is_owner=idea.owner_id == actor.id)
    return idea


def require_triage_or_answer(actor: Actor, role: TriageRole, *, is_owner: bool) -> None:
    """Only those who route the idea or answer it may use its triage row at all."""
    status_role = StatusRole(is_owner=is_owner, manages_department=role.manages_department)
    if not can_triage(actor, role):
        require(can_update_status(actor, status_role))
