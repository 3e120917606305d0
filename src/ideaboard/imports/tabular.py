"""Reading a CSV file the way people's exports come: UTF-8 with or without a BOM (or
Windows-1252 from an old Excel), commas or semicolons, quoted fields holding commas and
line breaks; each row with the line it starts on, for the problems reported."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from ideaboard.i18n import gettext
from ideaboard.imports.model import Problem


@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]  # by column name, lower-cased, "_" read as " "

    def get(self, *names: str) -> str:
        """The first of these columns the file has, stripped; "" if none."""
        for name in names:
            value = self.cells.get(name)
            if value is not None:
                return value.strip()
        return ""


class FileProblem(Exception):
    """The file cannot be read at all: said as a Problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def column_name(raw: str) -> str:
    return " ".join(raw.replace("_", " ").lower().split())


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(data: bytes, *, required: tuple[str, ...]) -> tuple[list[str], list[Row]]:
    """The header's columns and every row; a missing required column is a FileProblem."""
    text = decode(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [column_name(cell) for cell in next(reader)]
    except StopIteration:
        raise FileProblem(Problem(0, gettext("the file is empty"))) from None
    missing = [name for name in required if name not in header]
    if missing:
        raise FileProblem(
            Problem(
                1,
                gettext(
                    "the header has no %(missing)s column: it has %(columns)s",
                    missing=", ".join(missing),
                    columns=", ".join(header),
                ),
            )
        )
    return header, list(_rows(reader, header))


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[Row]:
    line = 2
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(
                Problem(line, gettext("the CSV cannot be read here: %(error)s", error=str(error)))
            ) from None
        if any(cell.strip() for cell in cells):
            if len(cells) > len(header):
                raise FileProblem(
                    Problem(
                        line,
                        gettext(
                            "%(cells)s cells where the header names %(columns)s",
                            cells=len(cells),
                            columns=len(header),
                        ),
                    )
                )
            yield Row(line, dict(zip(header, cells, strict=False)))
        line = reader.line_num + 1  # type: ignore[attr-defined]
