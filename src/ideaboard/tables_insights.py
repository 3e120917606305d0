"""Piccolo tables of /insights: what is counted ahead, so a page of insights reads a few
hundred rows whatever the board's size. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table


class WeeklyParticipation(Table):
    """One department's week: how many of its people proposed, voted, commented, or did
    any of these (distinct people), and how many active people it had. Counted from the
    rows by `services.insight_rollups` (the current and last week every few minutes,
    older weeks once); UNIQUE (week, department) is an index made by a migration."""

    id: Serial
    week = Varchar(length=8)  # ISO week in the organisation's time zone: 2026-W49
    week_start = Timestamptz()  # its Monday 00:00 there, in UTC
    department = Integer()
    active_people = Integer(default=0)
    proposers = Integer(default=0)
    voters = Integer(default=0)
    commenters = Integer(default=0)
    participants = Integer(default=0)
    newcomers = Integer(default=0)  # accounts made that week
    counted_at = Timestamptz()


INSIGHT_TABLES: tuple[type[Table], ...] = (WeeklyParticipation,)
