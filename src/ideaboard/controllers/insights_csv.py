"""Each /insights section as CSV: the numbers of the page's tables, one row per line.

RFC 4180 with CRLF, UTF-8 with a BOM, and every name made safe against formula
injection (csv_files.safe)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from ideaboard.csv_files import safe
from ideaboard.services.insights import InsightsPage

Table = Any  # a csv.writer: its type is private to the csv module
Writer = Callable[[InsightsPage, Table], None]


def percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def days(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def participation(page: InsightsPage, table: Table) -> None:
    table.writerow(["department", "week", "active_people", "participants", "share_percent",
                    "proposers", "voters", "commenters", "first_timers"])  # fmt: skip
    for row in [page.participation.company, *page.participation.departments]:
        for week in row.weeks:
            table.writerow(
                [safe(row.name), week.week, week.people, week.participants,
                 percent(week.share), week.proposers, week.voters, week.commenters,
                 week.first_timers]
            )  # fmt: skip


def flow(page: InsightsPage, table: Table) -> None:
    table.writerow(["from_department", "for_department", "ideas", "votes_per_idea",
                    "planned_or_further_percent", "done_percent"])  # fmt: skip
    for (source, target), tally in sorted(page.flow.cells.items()):
        table.writerow(
            [safe(page.flow.name(source)), safe(page.flow.name(target)), tally.ideas,
             f"{tally.votes_per_idea:.2f}", percent(tally.planned_share),
             percent(tally.done_share)]
        )  # fmt: skip


def funnel(page: InsightsPage, table: Table) -> None:
    table.writerow(["department", "stage", "ideas_reached", "from_stage_before_percent",
                    "median_days_in_stage"])  # fmt: skip
    for row in [page.funnel.total, *page.funnel.departments]:
        progress = row.progress
        for stage, count in progress.stages:
            timed = stage in progress.timed_stages
            table.writerow(
                [safe(row.name or "all"), stage, count, percent(progress.conversion(stage)),
                 days(progress.median_days(stage)) if timed else ""]
            )  # fmt: skip
        for stage, count in (("declined", progress.declined), ("duplicate", progress.duplicate)):
            table.writerow([safe(row.name or "all"), stage, count, "", ""])


def response(page: InsightsPage, table: Table) -> None:
    table.writerow(["row", "name", "departments", "ideas", "answered", "answered_percent",
                    "answered_within_7_days", "median_days_to_first_update",
                    "median_days_to_decision", "waiting_for_owner_now", "open_ideas",
                    "silent_30_days", "last_update"])  # fmt: skip
    for row in [page.funnel.total, *page.funnel.departments]:
        p = row.progress
        table.writerow(
            ["department", safe(row.name or "all"), "", p.ideas, p.answered,
             percent(p.answered_share), p.answered_in_week, days(p.median_days("first_update")),
             days(p.median_days("decision")), row.waiting, "", "", ""]
        )  # fmt: skip
    for owner in page.funnel.owners:
        t = owner.times
        last = owner.last_word.date().isoformat() if owner.last_word else ""
        table.writerow(
            ["owner", safe(owner.name), safe(", ".join(owner.departments)), t.ideas,
             t.answered, percent(t.answered_share), t.answered_in_week,
             days(t.median_days("first_update")), days(t.median_days("decision")), "",
             owner.open_ideas, owner.silent_ideas, last]
        )  # fmt: skip


def contributors(page: InsightsPage, table: Table) -> None:
    table.writerow(["name", "department", "ideas_proposed", "ideas_shipped"])
    for person in page.contributors:
        table.writerow([safe(person.name), safe(person.department), person.proposed,
                        person.shipped])  # fmt: skip


SECTIONS: dict[str, Writer] = {
    "participation": participation,
    "funnel": funnel,
    "response": response,
    "flow": flow,
    "contributors": contributors,
}


def section_csv(section: str, page: InsightsPage) -> str:
    out = io.StringIO()
    SECTIONS[section](page, csv.writer(out, lineterminator="\r\n"))
    return "\ufeff" + out.getvalue()
