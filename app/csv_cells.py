"""CSV for spreadsheets: no cell may start a formula.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-` or `@` (and, after a tab or carriage return,
what follows) as a formula, so a project title `=HYPERLINK(...)` in a downloaded CSV became a live link.
Every CSV the app writes goes through `csv_writer`, which puts a `'` before such text: spreadsheets show it
as the text it was, and a reader of the raw file sees that one character was added. Numbers stay numbers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` with a `'` in front when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """`csv.writer` whose rows are made safe cell by cell."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


def csv_writer(out: IO[str], **options: Any) -> SafeCsvWriter:
    return SafeCsvWriter(out, **options)
