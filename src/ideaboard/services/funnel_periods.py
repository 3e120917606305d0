"""Each named range of /insights summed ahead, so a year's page reads a row per
department, cell or owner rather than 52 weeks of rows and histograms: the funnel
(`period_funnel`), the flow (`period_flow`), each owner's response times
(`period_owner`); and each owner's open ideas as they stand (`owner_load`).

Written after each count of the weeks (`insight_rollups.count_weeks`), from the running
sums and spans just written: the ranges end with the current week, so they move each
Monday, and their figures with every count."""

from __future__ import annotations

from datetime import date, datetime

from ideaboard.db import write_transaction
from ideaboard.services.clock import now
from ideaboard.services.insights_flow import Tally, sum_cells
from ideaboard.services.insights_owners import OPEN_IDEAS, SILENT_AFTER
from ideaboard.services.insights_scope import ALL, RANGES, Period, period_for
from ideaboard.services.progress import Progress
from ideaboard.services.running import FUNNEL, OWNERS, read_running
from ideaboard.services.triage import OPEN
from ideaboard.tables import OwnerLoad, PeriodFlow, PeriodFunnel, PeriodOwner

UPSERT = """
INSERT INTO period_funnel (range_key, first_week, department, ideas, reviewed, planned,
    started, done, declined, duplicate, answered, answered_in_week, decided, days, medians,
    counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (range_key, department) DO UPDATE SET
    first_week = excluded.first_week, ideas = excluded.ideas, reviewed = excluded.reviewed,
    planned = excluded.planned, started = excluded.started, done = excluded.done,
    declined = excluded.declined, duplicate = excluded.duplicate,
    answered = excluded.answered, answered_in_week = excluded.answered_in_week,
    decided = excluded.decided, days = excluded.days, medians = excluded.medians,
    counted_at = excluded.counted_at
"""


OWNER_UPSERT = """
INSERT INTO period_owner (range_key, first_week, owner, department, ideas, answered,
    answered_in_week, decided, days, medians, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (range_key, owner, department) DO UPDATE SET
    first_week = excluded.first_week, ideas = excluded.ideas, answered = excluded.answered,
    answered_in_week = excluded.answered_in_week, decided = excluded.decided,
    days = excluded.days, medians = excluded.medians, counted_at = excluded.counted_at
"""


FLOW_UPSERT = """
INSERT INTO period_flow (range_key, first_week, source, target, ideas, votes, planned, done,
    authors, counted_at)
VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})
ON CONFLICT (range_key, source, target) DO UPDATE SET
    first_week = excluded.first_week, ideas = excluded.ideas, votes = excluded.votes,
    planned = excluded.planned, done = excluded.done, authors = excluded.authors,
    counted_at = excluded.counted_at
"""
LOAD_INSERT = """
INSERT INTO owner_load (owner, department, open_ideas, silent_ideas, last_update_at,
    counted_at)
VALUES ({}, {}, {}, {}, {}, {})
"""


async def sum_periods(this_monday: date) -> None:
    """Every named range ending with this week, per department and for ALL of them, and
    per owner and department (and ALL)."""
    moment = now()
    await count_owner_load(moment)
    for key in RANGES:
        period = period_for(key, this_monday)
        await _sum_owners(period, moment)
        await _sum_flow(period, moment)
        found, _counted = await read_running(FUNNEL, period.first, period.weeks)
        sums = {ALL: Progress(), **{d: progress for (d,), progress in found.items()}}
        async with write_transaction():
            await PeriodFunnel.delete().where(
                PeriodFunnel.range_key == key, PeriodFunnel.department.not_in(list(sums))
            )
            for department, p in sums.items():
                await PeriodFunnel.raw(
                    UPSERT, key, period.labels[0], department, p.ideas, p.reviewed, p.planned,
                    p.started, p.done, p.declined, p.duplicate, p.answered, p.answered_in_week,
                    p.decided, p.days_json(), p.medians_json(), moment,
                )  # fmt: skip


async def _sum_owners(period: Period, moment: datetime) -> None:
    found, _counted = await read_running(OWNERS, period.first, period.weeks)
    async with write_transaction():
        await PeriodOwner.delete().where(PeriodOwner.range_key == period.key)
        for (owner, department), p in found.items():
            await PeriodOwner.raw(
                OWNER_UPSERT, period.key, period.labels[0], owner, department, p.ideas,
                p.answered, p.answered_in_week, p.decided, p.days_json(), p.medians_json(),
                moment,
            )  # fmt: skip


async def _sum_flow(period: Period, moment: datetime) -> None:
    rows = await sum_cells(period.first, period.weeks)
    async with write_transaction():
        await PeriodFlow.delete().where(PeriodFlow.range_key == period.key)
        for row in rows:
            cell = Tally.of(row)  # its authors cut to the five that tell enough
            await PeriodFlow.raw(
                FLOW_UPSERT, period.key, period.labels[0], row["source"], row["target"],
                cell.ideas, cell.votes, cell.planned, cell.done, cell.kept_authors(), moment,
            )  # fmt: skip


async def count_owner_load(moment: datetime) -> None:
    """Each owner's open ideas, per department, as they stand now."""
    rows = await OwnerLoad.raw(OPEN_IDEAS.format(open=OPEN), moment - SILENT_AFTER)
    async with write_transaction():
        await OwnerLoad.delete(force=True)
        for row in rows:
            await OwnerLoad.raw(
                LOAD_INSERT, row["owner"], row["department"], row["open_ideas"],
                row["silent_ideas"], row["last_update_at"], moment,
            )  # fmt: skip
