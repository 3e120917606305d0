"""Counting participation ahead, week by week, so /insights reads a few hundred rows.

A week is an ISO week in the organisation's time zone. For each department it counts
the distinct people who proposed (an idea now on the board), voted, or commented
(a comment everyone can read), how many did any of these, how many active people it
has, and how many joined that week. People count in their department of today.

`count_weeks` runs from the background loop: the current and the previous week every
time (late comments, approvals), and every older week that was never counted, once.
Counting a week reads that week's rows only, and writes one row per department.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.services.organisation import find_organisation
from ideaboard.tables import Idea, WeeklyParticipation
from ideaboard.weeks import week_of

# Distinct people per department, of one week's actions. Ideas waiting for a moderator,
# hidden or rejected do not count; nor do comments nobody else can read.
WEEK_ACTIONS = """
SELECT a.department AS department,
       COUNT(DISTINCT CASE WHEN x.kind = 'p' THEN x.person END) AS proposers,
       COUNT(DISTINCT CASE WHEN x.kind = 'v' THEN x.person END) AS voters,
       COUNT(DISTINCT CASE WHEN x.kind = 'c' THEN x.person END) AS commenters,
       COUNT(DISTINCT x.person) AS participants
FROM (
    SELECT author AS person, 'p' AS kind FROM idea
    WHERE created_at >= {} AND created_at < {} AND approval = 'approved' AND NOT hidden
    UNION ALL
    SELECT voter, 'v' FROM vote WHERE created_at >= {} AND created_at < {}
    UNION ALL
    SELECT author, 'c' FROM comment
    WHERE created_at >= {} AND created_at < {} AND approval = 'approved' AND NOT hidden
) x
JOIN account a ON a.id = x.person
GROUP BY a.department
"""
PEOPLE = """
SELECT d.id AS department,
       (SELECT COUNT(*) FROM account a WHERE a.department = d.id AND a.active
          AND a.created_at < {}) AS active_people,
       (SELECT COUNT(*) FROM account a WHERE a.department = d.id
          AND a.created_at >= {} AND a.created_at < {}) AS newcomers
FROM department d
"""
UPSERT = """
INSERT INTO weekly_participation (week, week_start, department, active_people, proposers,
    voters, commenters, participants, newcomers, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (week, department) DO UPDATE SET
    week_start = excluded.week_start, active_people = excluded.active_people,
    proposers = excluded.proposers, voters = excluded.voters,
    commenters = excluded.commenters, participants = excluded.participants,
    newcomers = excluded.newcomers, counted_at = excluded.counted_at
"""


def week_bounds(week_start_day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[Monday 00:00, next Monday 00:00) of that week in the zone, as aware datetimes."""
    start = datetime.combine(week_start_day, time(), tzinfo=zone)
    end = datetime.combine(week_start_day + timedelta(days=7), time(), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def monday_of(moment: datetime, zone: ZoneInfo) -> date:
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def weeks_between(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=7)


async def count_week(monday: date, zone: ZoneInfo) -> None:
    """Count one week afresh, for every department."""
    start, end = week_bounds(monday, zone)
    week = week_of(datetime.combine(monday, time()))
    actions = {
        row["department"]: row
        for row in await Idea.raw(WEEK_ACTIONS, start, end, start, end, start, end)
    }
    moment = now()
    async with write_transaction():
        for row in await Idea.raw(PEOPLE, end, start, end):
            did = actions.get(row["department"], {})
            await WeeklyParticipation.raw(
                UPSERT, week, start, row["department"], row["active_people"],
                did.get("proposers", 0), did.get("voters", 0), did.get("commenters", 0),
                did.get("participants", 0), row["newcomers"], moment,
            )  # fmt: skip


async def count_weeks(*, at: datetime | None = None, most: int = 20) -> int:
    """The current and last week, and up to `most` older weeks never counted (newest
    first: what people look at first). Returns how many weeks were counted."""
    organisation = await find_organisation()
    if organisation is None or organisation.created_at is None:
        return 0
    zone = organisation.digest.zone
    this_monday = monday_of(at or now(), zone)
    first_monday = monday_of(organisation.created_at, zone)
    earliest = await Idea.select(Idea.created_at).order_by(Idea.created_at).first()
    if earliest is not None:  # an imported or older board: its history counts too
        first_monday = min(first_monday, monday_of(earliest["created_at"], zone))
    counted = {row["week"] for row in await WeeklyParticipation.select(WeeklyParticipation.week)}
    due = [this_monday, this_monday - timedelta(days=7)]
    for monday in reversed(list(weeks_between(first_monday, this_monday - timedelta(days=14)))):
        if len(due) >= most + 2:
            break
        if week_of(datetime.combine(monday, time())) not in counted:
            due.append(monday)
    for monday in due:
        if monday >= first_monday:
            await count_week(monday, zone)
    return len(due)
