"""The weekly digest's schedule. Pure: no I/O.

A digest belongs to an ISO week ("2026-W47") and goes out once in it, at the
organisation's weekday and hour in its time zone. It covers the seven days before
that moment, so the Monday-morning digest tells the story of the week just ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class DigestSchedule:
    weekday: int = 0  # Monday, as date.weekday()
    hour: int = 8
    time_zone: str = "UTC"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def parse_week(text: str) -> tuple[int, int]:
    """`2026-W47` → (2026, 47); ValueError for anything that is not a real ISO week."""
    match = WEEK_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week like 2026-W47")
    year, week = int(match[1]), int(match[2])
    try:
        date.fromisocalendar(year, week, 1)
    except ValueError:  # week 0, week 53 of a 52-week year, ...
        raise ValueError(f"{text!r} is not an ISO week: {year} has no week {week}") from None
    return year, week


def week_of(day: date) -> str:
    """The ISO week of a day (or of a moment, as it reads): "2026-W47"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def digest_send_time(week: str, schedule: DigestSchedule) -> datetime:
    """The moment (UTC) the digest of this ISO week goes out."""
    year, number = parse_week(week)
    day = date.fromisocalendar(year, number, schedule.weekday + 1)
    local = datetime.combine(day, time(schedule.hour), tzinfo=schedule.zone)
    return local.astimezone(UTC)


def digest_window(week: str, schedule: DigestSchedule) -> tuple[datetime, datetime]:
    """The seven days a week's digest covers: [start, end) in UTC."""
    end = digest_send_time(week, schedule)
    return end - timedelta(days=7), end


def latest_digest_week(moment: datetime, schedule: DigestSchedule) -> str:
    """The ISO week of the most recent send time at or before `moment`."""
    local = moment.astimezone(schedule.zone)
    week = week_of(local)
    if digest_send_time(week, schedule) > moment:
        week = week_of(local - timedelta(days=7))
    return week
