"""What an import is told besides its file, the same on the command line and at
/admin/data: which tool's export it is, how their departments and statuses map to ours,
and where ideas without one go."""

from __future__ import annotations

from dataclasses import dataclass, field

from ideaboard.domain import Status
from ideaboard.i18n import gettext
from ideaboard.imports.fider import read_fider
from ideaboard.imports.model import Batch
from ideaboard.imports.own import read_export, read_template
from ideaboard.imports.uservoice import read_uservoice

SOURCES = ("fider", "uservoice", "csv", "ideaboard")
DEFAULT_DEPARTMENT = "General"


@dataclass(frozen=True)
class Choices:
    source: str
    departments: dict[str, str] = field(default_factory=dict)  # theirs (lower-case) -> ours
    statuses: dict[str, Status] = field(default_factory=dict)  # theirs (lower-case) -> ours
    default_department: str = DEFAULT_DEPARTMENT

    def read(self, data: bytes) -> Batch:
        if self.source == "ideaboard":
            return read_export(data)
        reader = {"fider": read_fider, "uservoice": read_uservoice, "csv": read_template}
        return reader[self.source](
            data, statuses=self.statuses, default_department=self.default_department
        )


def parse_choices(
    source: str, *, departments: list[str], statuses: list[str], default_department: str
) -> tuple[Choices, dict[str, str]]:
    """The choices, and what is wrong with them by field ("source", "departments",
    "statuses", "default_department")."""
    errors: dict[str, str] = {}
    if source not in SOURCES:
        errors["source"] = gettext("Choose where the file comes from.")
    department_map, bad = _pairs(departments)
    if bad:
        errors["departments"] = gettext(
            "Line %(line)s: write each line as “their name = our department”.", line=bad[0]
        )
    status_words, bad = _pairs(statuses)
    status_map: dict[str, Status] = {}
    for theirs, ours in status_words.items():
        if ours in Status.__members__.values():
            status_map[theirs] = Status(ours)
        elif "statuses" not in errors:
            errors["statuses"] = gettext(
                "“%(status)s” is not one of ours: %(ours)s.", status=ours, ours=", ".join(Status)
            )
    if bad:
        errors["statuses"] = gettext(
            "Line %(line)s: write each line as “their status = ours”.", line=bad[0]
        )
    name = " ".join(default_department.split()) or DEFAULT_DEPARTMENT
    return Choices(source, department_map, status_map, name), errors


def _pairs(lines: list[str]) -> tuple[dict[str, str], list[int]]:
    """`their name = ours` lines (or `their name,ours`); the numbers of lines neither."""
    pairs: dict[str, str] = {}
    bad: list[int] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        theirs, sign, ours = line.partition("=") if "=" in line else line.partition(",")
        if not sign or not theirs.strip() or not ours.strip():
            bad.append(number)
            continue
        pairs[" ".join(theirs.split()).lower()] = ours.strip()
    return pairs, bad
