"""Counting /insights ahead, week by week, so its pages read a few hundred rows.

A week is an ISO week in the organisation's time zone. For each department it counts
the distinct people who proposed (an idea now on the board), voted, or commented
(a comment everyone can read), how many did any of these, how many active people it
has, and how many joined that week. People count in their department of today.

What became of the week's ideas (the flow between departments and the funnel) is
counted beside it, by `idea_rollups`.

`count_weeks` runs from the background loop. It counts again:
- the current and the previous week, every time (late comments, approvals);
- the weeks of ideas that had news since the last run: status updates, routing,
  merges and votes (the event stream says which), hidden, restored, approved or
  rejected (the audit does);
- every older week never counted, once;
- the few weeks counted longest ago, so what neither tells (a department renamed, a
  person moved) is caught within hours.
Counting a week reads that week's rows only. The spans holding the weeks counted are
summed again (`spans`), and the authors of the ideas with news are recounted as
contributors (`services.contributors`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ideaboard.db import write_transaction
from ideaboard.services import contributors
from ideaboard.services.clock import now
from ideaboard.services.funnel_periods import sum_periods
from ideaboard.services.idea_rollups import count_week_ideas
from ideaboard.services.organisation import find_organisation
from ideaboard.services.running import FUNNEL, OWNERS, Key, count_running, every_key
from ideaboard.services.span_counts import count_spans
from ideaboard.services.visibility import public_sql
from ideaboard.tables import Contributor, DomainEvent, Idea, WeeklyParticipation
from ideaboard.tables_insights import SpanFlow
from ideaboard.weeks import parse_week, week_of

NEWS_WINDOW = timedelta(minutes=30)  # the loop runs every ten: each event is seen twice
REFRESHED_EACH_RUN = 4  # the weeks counted longest ago, counted again each run

# Distinct people per department, of one week's actions. Ideas waiting for a moderator,
# hidden or rejected do not count; nor do comments nobody else can read.
ACTIONS = f"""
    SELECT i.author AS person, 'p' AS kind FROM idea i
    WHERE i.created_at >= {{}} AND i.created_at < {{}} AND {public_sql("i")}
    UNION ALL
    SELECT voter, 'v' FROM vote WHERE created_at >= {{}} AND created_at < {{}}
    UNION ALL
    SELECT c.author, 'c' FROM comment c
    WHERE c.created_at >= {{}} AND c.created_at < {{}} AND {public_sql("c")}
"""  # noqa: S608 (only constants go in: the visibility rule)
WEEK_ACTIONS = f"""
SELECT a.department AS department,
       COUNT(DISTINCT CASE WHEN x.kind = 'p' THEN x.person END) AS proposers,
       COUNT(DISTINCT CASE WHEN x.kind = 'v' THEN x.person END) AS voters,
       COUNT(DISTINCT CASE WHEN x.kind = 'c' THEN x.person END) AS commenters,
       COUNT(DISTINCT x.person) AS participants
FROM ({ACTIONS}) x
JOIN account a ON a.id = x.person
GROUP BY a.department
"""  # noqa: S608
# Of the week's participants, those who had never taken part before it (each asked of
# the author and voter indexes, and comment_author_created).
FIRST_TIMERS = f"""
SELECT a.department AS department, COUNT(*) AS first_timers
FROM (SELECT DISTINCT person FROM ({ACTIONS}) x) p
JOIN account a ON a.id = p.person
WHERE NOT EXISTS (SELECT 1 FROM idea i WHERE i.author = p.person AND i.created_at < {{}}
                  AND {public_sql("i")})
  AND NOT EXISTS (SELECT 1 FROM vote v WHERE v.voter = p.person AND v.created_at < {{}})
  AND NOT EXISTS (SELECT 1 FROM comment c WHERE c.author = p.person AND c.created_at < {{}}
                  AND {public_sql("c")})
GROUP BY a.department
"""  # noqa: S608
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
    voters, commenters, participants, newcomers, first_timers, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (week, department) DO UPDATE SET
    week_start = excluded.week_start, active_people = excluded.active_people,
    proposers = excluded.proposers, voters = excluded.voters,
    commenters = excluded.commenters, participants = excluded.participants,
    newcomers = excluded.newcomers, first_timers = excluded.first_timers,
    counted_at = excluded.counted_at
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


async def count_week(monday: date, zone: ZoneInfo) -> tuple[set[Key], set[Key]]:
    """Count one week afresh, for every department; returns the departments and the
    (owner, department) pairs whose figures changed (`idea_rollups`)."""
    start, end = week_bounds(monday, zone)
    week = week_of(monday)
    bounds = [start, end] * 3
    actions = {row["department"]: row for row in await Idea.raw(WEEK_ACTIONS, *bounds)}
    first = {
        row["department"]: row["first_timers"]
        for row in await Idea.raw(FIRST_TIMERS, *bounds, start, start, start)
    }
    moment = now()
    async with write_transaction():
        for row in await Idea.raw(PEOPLE, end, start, end):
            did = actions.get(row["department"], {})
            await WeeklyParticipation.raw(
                UPSERT, week, start, row["department"], row["active_people"],
                did.get("proposers", 0), did.get("voters", 0), did.get("commenters", 0),
                did.get("participants", 0), row["newcomers"], first.get(row["department"], 0),
                moment,
            )  # fmt: skip
        return await count_week_ideas(week, start, end, moment)


async def count_weeks(*, at: datetime | None = None, most: int = 20) -> int:
    """The weeks due (see the module's text), at most `most` of them never counted
    before (newest first: what people look at first). Returns how many were counted."""
    organisation = await find_organisation()
    if organisation is None or organisation.created_at is None:
        return 0
    moment = at or now()
    zone = organisation.digest.zone
    this_monday = monday_of(moment, zone)
    first_monday = monday_of(organisation.created_at, zone)
    earliest = await Idea.select(Idea.created_at).order_by(Idea.created_at).first()
    if earliest is not None:  # an imported or older board: its history counts too
        first_monday = min(first_monday, monday_of(earliest["created_at"], zone))
    due = [this_monday, this_monday - timedelta(days=7)]
    news = await DomainEvent.raw(NEWS, moment - NEWS_WINDOW, moment - NEWS_WINDOW)
    due += [monday_of(row["created_at"], zone) for row in news]
    if await Contributor.count() == 0:
        await contributors.count_everyone()
    else:
        await contributors.count_people(row["author"] for row in news)
    counted = await WeeklyParticipation.raw(COUNTED_WEEKS)
    known = {row["week"] for row in counted}
    never = [
        monday
        for monday in reversed(list(weeks_between(first_monday, this_monday)))
        if week_of(monday) not in known
    ]
    due += never[:most]
    due += [_monday_of_week(row["week"]) for row in counted[:REFRESHED_EACH_RUN]]
    weeks = sorted({monday for monday in due if first_monday <= monday <= this_monday})
    funnel: dict[Key, date] = {}
    owners: dict[Key, date] = {}
    for monday in reversed(weeks):  # newest first: each key's earliest change stays
        departments, pairs = await count_week(monday, zone)
        funnel.update(dict.fromkeys(departments, monday))
        owners.update(dict.fromkeys(pairs, monday))
    for sums, since in ((FUNNEL, funnel), (OWNERS, owners)):
        if not await Idea.raw(f"SELECT 1 FROM {sums.table} LIMIT 1"):  # noqa: S608
            since = dict.fromkeys(await every_key(sums), first_monday)  # new to this board
        await count_running(sums, since)
    if not await SpanFlow.exists():  # new to this board: every week's
        await count_spans([*weeks, *(_monday_of_week(row["week"]) for row in counted)])
    else:
        await count_spans(weeks)
    await sum_periods(this_monday)
    return len(weeks)


# The weeks counted, the longest ago first.
COUNTED_WEEKS = """
SELECT week, MIN(counted_at) AS counted_at FROM weekly_participation
GROUP BY week ORDER BY MIN(counted_at), week
"""
# The ideas with news: their weeks are counted again, their authors too. The event
# stream tells what everyone saw happen; the audit, what moderators did (hidden,
# restored, approved, rejected, merged: a count may have to lose or gain an idea).
NEWS = """
SELECT i.created_at, i.author FROM domain_event e JOIN idea i ON i.id = e.idea
WHERE e.created_at >= {}
UNION
SELECT i.created_at, i.author FROM audit_entry a JOIN idea i ON i.id = a.target_id
WHERE a.target_type = 'idea' AND a.created_at >= {}
"""


def _monday_of_week(label: str) -> date:
    year, week = parse_week(label)
    return date.fromisocalendar(year, week, 1)
