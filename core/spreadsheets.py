"""Every text that reaches a spreadsheet cell goes through here: a CSV row or an XLSX row, the
handling marking, labels and stamps included. A spreadsheet treats a cell that starts with one of
FORMULA_TRIGGERS as a formula (or a DDE command); answers, names and a coordinator's marking are
free text, hostile until shown otherwise.
"""

import csv
from collections.abc import Iterable
from typing import Any

# "=" "+" "-" "@" start a formula in Excel, LibreOffice and Google Sheets; a leading tab or
# carriage return hides one from a naive check.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """Prefixes a would-be formula with an apostrophe, so spreadsheets show it as text."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_cells(values: Iterable[Any]) -> list[Any]:
    """A row's values with every text neutralised; numbers, dates and empty cells as they are."""
    return [neutralise_formula(value) if isinstance(value, str) else value for value in values]


class SafeCsvWriter:
    """csv.writer whose every row goes through safe_cells."""

    def __init__(self, out: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, values: Iterable[Any]) -> None:
        self._writer.writerow(safe_cells(values))


def safe_append(sheet: Any, values: Iterable[Any]) -> None:
    """openpyxl's Worksheet.append, every text neutralised."""
    sheet.append(safe_cells(values))


def header_footer_text(text: str) -> str:
    """Text for an XLSX page header or footer, where "&" starts a code (page number, font...)."""
    return text.replace("&", "&&")
