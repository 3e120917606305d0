"""CSV as spreadsheets read it: RFC 4180 with CRLF line ends, UTF-8 with a BOM (so Excel
takes it as UTF-8), and every cell that starts like a formula (= + - @) written as text,
so a title can never run in someone's spreadsheet. Danish Excel expects `;` between
cells (its decimal mark is the comma): `delimiter` says which."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

DELIMITERS = (",", ";")


def safe(value: object) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(
    header: Sequence[str], rows: Iterable[Sequence[object]], *, delimiter: str = ","
) -> str:
    """A whole CSV file: the header, then each row with every cell made safe."""
    out = io.StringIO()
    table = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    table.writerow(header)
    table.writerows([safe(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()
