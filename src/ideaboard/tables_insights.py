"""Piccolo tables of /insights: what is counted ahead, so a page of insights reads a few
hundred rows whatever the board's size. Part of `ideaboard.tables.TABLES`."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
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
    first_timers = Integer(default=0)  # people who took part that week for the first time
    counted_at = Timestamptz()


class WeeklyFlow(Table):
    """The ideas proposed in one week by people of one department (`source`) for one
    department (`target`), as they stand now: how many, their votes, how many reached
    planned or further, and done. Merged ideas are left out (their votes moved). Counted
    by `services.idea_rollups`; UNIQUE (week, source, target) is a migration's index."""

    id: Serial
    week = Varchar(length=8)
    week_start = Timestamptz()
    source = Integer()
    target = Integer()
    ideas = Integer(default=0)
    votes = Integer(default=0)
    planned = Integer(default=0)  # reached planned, in progress or done
    done = Integer(default=0)
    # Up to five of the authors' ids ("3,17,42"): enough to tell, over any weeks, whether
    # at least five different people are behind a cell. Never shown.
    authors = Varchar(length=120, default="")
    counted_at = Timestamptz()


class WeeklyFunnel(Table):
    """The ideas proposed in one week for one department, as they stand now: how far
    they got (each stage counts the ideas that ever reached it or a later one), how many
    had an official update (within seven days), and how many a decision. `days` holds
    whole-day histograms as JSON, {"under_review": {"3": 2}, "first_update": ...}, so
    medians over any weeks are exact to the day. UNIQUE (week, department)."""

    id: Serial
    week = Varchar(length=8)
    week_start = Timestamptz()
    department = Integer()
    ideas = Integer(default=0)
    reviewed = Integer(default=0)
    planned = Integer(default=0)
    started = Integer(default=0)
    done = Integer(default=0)
    declined = Integer(default=0)
    duplicate = Integer(default=0)
    answered = Integer(default=0)  # had an official update
    answered_in_week = Integer(default=0)  # its first within seven days
    decided = Integer(default=0)
    days = Text(default="{}")
    counted_at = Timestamptz()


class WeeklyOwner(Table):
    """The ideas proposed in one week for one department that one person now owns: how
    soon they had an official update and a decision (counts and whole-day histograms,
    as `weekly_funnel`). Counted beside it; UNIQUE (week, owner, department)."""

    id: Serial
    week = Varchar(length=8)
    owner = Integer()
    department = Integer()
    ideas = Integer(default=0)
    answered = Integer(default=0)
    answered_in_week = Integer(default=0)
    decided = Integer(default=0)
    days = Text(default="{}")
    counted_at = Timestamptz()


class PeriodOwner(Table):
    """`weekly_owner` summed over each named range, per owner and department, and per
    owner for all departments (department 0), medians worked out; written with
    `period_funnel`. UNIQUE (range_key, owner, department)."""

    id: Serial
    range_key = Varchar(length=8)
    first_week = Varchar(length=8)
    owner = Integer()
    department = Integer()
    ideas = Integer(default=0)
    answered = Integer(default=0)
    answered_in_week = Integer(default=0)
    decided = Integer(default=0)
    days = Text(default="{}")
    medians = Text(default="{}")
    counted_at = Timestamptz()


class PeriodFlow(Table):
    """`weekly_flow` summed over each named range, per from → for cell, with up to five
    of its authors' ids; written with `period_funnel`. UNIQUE (range_key, source,
    target)."""

    id: Serial
    range_key = Varchar(length=8)
    first_week = Varchar(length=8)
    source = Integer()
    target = Integer()
    ideas = Integer(default=0)
    votes = Integer(default=0)
    planned = Integer(default=0)
    done = Integer(default=0)
    authors = Varchar(length=120, default="")
    counted_at = Timestamptz()


class OwnerLoad(Table):
    """Each owner's open ideas per department, as the last count found them: how many,
    how many silent for 30 days, and their last word. Written afresh after each count
    of the weeks, from the index of open owned ideas. UNIQUE (owner, department)."""

    id: Serial
    owner = Integer()
    department = Integer()
    open_ideas = Integer(default=0)
    silent_ideas = Integer(default=0)
    last_update_at = Timestamptz()
    counted_at = Timestamptz()


class PeriodFunnel(Table):
    """`weekly_funnel` summed over each named range of /insights (the last 4, 13 and 52
    weeks, `range_key`, starting with the week `first_week`), per department and for
    all of them (department 0), with each measure's median worked out: a year's page
    reads a row per department, not 52. Written after each count of the weeks; a range
    that does not start with `first_week` any more is read from the weekly rows until
    the next count. UNIQUE (range_key, department) is a migration's index."""

    id: Serial
    range_key = Varchar(length=8)
    first_week = Varchar(length=8)
    department = Integer()
    ideas = Integer(default=0)
    reviewed = Integer(default=0)
    planned = Integer(default=0)
    started = Integer(default=0)
    done = Integer(default=0)
    declined = Integer(default=0)
    duplicate = Integer(default=0)
    answered = Integer(default=0)
    answered_in_week = Integer(default=0)
    decided = Integer(default=0)
    days = Text(default="{}")  # the merged histograms, to fold departments together
    medians = Text(default="{}")  # {"first_update": 3.5, ...}
    counted_at = Timestamptz()


class RunningFunnel(Table):
    """`weekly_funnel` summed from the first week up to `week`, per department and for all
    of them (department 0): any weeks' funnel is the running sum at their last week less
    the one before their first, two rows per department whatever the range
    (`services.running`). Written for the weeks a department has ideas in, from the
    earliest week whose count changed for it. UNIQUE (department, week) is a
    migration's index."""

    id: Serial
    week = Varchar(length=8)
    department = Integer()
    ideas = Integer(default=0)
    reviewed = Integer(default=0)
    planned = Integer(default=0)
    started = Integer(default=0)
    done = Integer(default=0)
    declined = Integer(default=0)
    duplicate = Integer(default=0)
    answered = Integer(default=0)
    answered_in_week = Integer(default=0)
    decided = Integer(default=0)
    days = Text(default="{}")
    counted_at = Timestamptz()


class RunningOwner(Table):
    """`weekly_owner` summed from the first week up to `week`, per owner and department
    (and for all departments, department 0), as `running_funnel` sums the funnel.
    Written for the weeks an owner has ideas in, from the earliest week whose count
    changed for that owner and department. UNIQUE (department, owner, week)."""

    id: Serial
    week = Varchar(length=8)
    owner = Integer()
    department = Integer()
    ideas = Integer(default=0)
    answered = Integer(default=0)
    answered_in_week = Integer(default=0)
    decided = Integer(default=0)
    days = Text(default="{}")
    counted_at = Timestamptz()


class SpanFlow(Table):
    """`weekly_flow` summed over a span of `size` weeks (4, 16, 64 or 256) starting with
    the week `first_week`, per from → for cell, with up to five of its authors' ids.
    Spans are aligned so any weeks are a few of them (`services.spans`): a year's cells
    are a handful of rows each rather than 52. Summed again from the spans inside it
    whenever one of its weeks is counted. UNIQUE (size, first_week, source, target) is
    a migration's index."""

    id: Serial
    size = Integer()
    first_week = Varchar(length=8)
    source = Integer()
    target = Integer()
    ideas = Integer(default=0)
    votes = Integer(default=0)
    planned = Integer(default=0)
    done = Integer(default=0)
    authors = Varchar(length=120, default="")
    counted_at = Timestamptz()


class Contributor(Table):
    """What one person has brought to the board, all told: the ideas they proposed under
    their name that everyone can see, and how many of those are done. Anonymous ideas
    never count here. Recounted by `services.contributors` for the authors of ideas
    with news, and for everyone each night. UNIQUE (account) is a migration's index."""

    id: Serial
    account = Integer()
    proposed = Integer(default=0)
    shipped = Integer(default=0)
    counted_at = Timestamptz()


INSIGHT_TABLES: tuple[type[Table], ...] = (
    WeeklyParticipation,
    WeeklyFlow,
    WeeklyFunnel,
    PeriodFunnel,
    PeriodFlow,
    OwnerLoad,
    WeeklyOwner,
    PeriodOwner,
    RunningFunnel,
    RunningOwner,
    SpanFlow,
    Contributor,
)
