"""The weekly rows of /insights in their new form, from the rows already counted, so no
week has to be counted again:
- whole days in the histograms rounded as `progress.rounded_days` rounds them (to the
  day for four weeks, then to the week, to four weeks and to 13 weeks);
- the weekly funnel and each owner's weekly response times for every department
  together (department 0), as `idea_rollups` now writes them beside the per-department
  rows."""

import json
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.querystring import QueryString

ID = "2026-12-03T14:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rounded days, weekly funnel and owner rows for all departments"

# Each table: its counts, and what its rows for every department are summed by.
TABLES = {
    "weekly_funnel": (
        ("ideas", "reviewed", "planned", "started", "done", "declined", "duplicate",
         "answered", "answered_in_week", "decided"),
        ("week",),
    ),
    "weekly_owner": (("ideas", "answered", "answered_in_week", "decided"), ("week", "owner")),
}  # fmt: skip


def rounded_days(days: int) -> int:  # progress.rounded_days, as it was written
    if days < 28:
        return days
    if days < 91:
        return days - days % 7
    if days < 364:
        return days - days % 28
    return days - days % 91


def _rounded(raw: str) -> str:
    days: dict[str, dict[str, int]] = {}
    for measure, histogram in json.loads(raw or "{}").items():
        mine = days.setdefault(measure, {})
        for day, ideas in histogram.items():
            key = str(rounded_days(int(day)))
            mine[key] = mine.get(key, 0) + ideas
    return json.dumps(days, sort_keys=True)


def _merged(rows: list[dict[str, Any]], counts: tuple[str, ...]) -> dict[str, Any]:
    total: dict[str, Any] = {name: sum(int(row[name]) for row in rows) for name in counts}
    days: dict[str, dict[str, int]] = {}
    for row in rows:
        for measure, histogram in json.loads(row["days"] or "{}").items():
            mine = days.setdefault(measure, {})
            for day, ideas in histogram.items():
                mine[day] = mine.get(day, 0) + ideas
    total["days"] = json.dumps(days, sort_keys=True)
    return total


async def _add_every_department(
    engine: Any, table: str, counts: tuple[str, ...], by: tuple[str, ...]
) -> None:
    """A row for every department (0) beside each group's rows, summed from them."""
    names = ", ".join((*by, *counts, "days"))
    rows = await engine.run_ddl(
        f"SELECT {names} FROM {table} WHERE department <> 0"  # noqa: S608 (constants)
    )
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows or []:
        groups.setdefault(tuple(row[name] for name in by), []).append(dict(row))
    columns = ", ".join((*by, "department", *counts, "days", "counted_at"))
    values = ", ".join(["{}"] * len(by) + ["0"] + ["{}"] * (len(counts) + 1))
    values += ", MIN(counted_at)"
    if table == "weekly_funnel":
        columns, values = columns + ", week_start", values + ", MIN(week_start)"
    match = " AND ".join(f"{name} = {{}}" for name in by)
    sql = f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} WHERE {match}"  # noqa: S608
    for group, members in groups.items():
        total = _merged(members, counts)
        figures = [*group, *(total[name] for name in counts), total["days"], *group]
        await engine.run_querystring(QueryString(sql, *figures))


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="ideaboard", description=DESCRIPTION)

    async def add_rows() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in ("weekly_funnel", "weekly_owner"):
            for row in await engine.run_ddl(f"SELECT id, days FROM {table}") or []:  # noqa: S608
                rounded = _rounded(row["days"])
                if rounded != row["days"]:
                    await engine.run_querystring(
                        QueryString(f"UPDATE {table} SET days = {{}} WHERE id = {{}}",  # noqa: S608
                                    rounded, row["id"])
                    )  # fmt: skip
        for table, (counts, by) in TABLES.items():
            await _add_every_department(engine, table, counts, by)

    async def remove_rows() -> None:
        engine = engine_finder()
        assert engine is not None
        for table in TABLES:
            await engine.run_ddl(f"DELETE FROM {table} WHERE department = 0")  # noqa: S608

    manager.add_raw(add_rows)
    manager.add_raw_backwards(remove_rows)
    return manager
