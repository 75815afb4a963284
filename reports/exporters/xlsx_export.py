import io
from typing import cast

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.header_footer import HeaderFooterItem
from openpyxl.worksheet.worksheet import Worksheet

from core.spreadsheets import header_footer_text, neutralise_formula, safe_append
from reports.exporters.report_context import demo_notice
from reports.models import Report
from reports.selectors import Comparison, Row

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")


def _cell_value(row: Row, index: int) -> object:
    """Numbers as numbers, everything else as (neutralised) text."""
    raw = row.raw[index]
    if isinstance(raw, dict) and isinstance(raw.get("value"), int):
        return raw["value"]
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    return neutralise_formula(row.cells[index])


def _mark(sheet: Worksheet, marking: str) -> None:
    # A worksheet's header and footer always exist (openpyxl makes them; the stubs say optional).
    header, footer = cast(HeaderFooterItem, sheet.oddHeader), cast(HeaderFooterItem, sheet.oddFooter)
    header.center.text = header_footer_text(marking)
    footer.center.text = header_footer_text(marking)
    footer.right.text = "&P / &N"


def _header(sheet: Worksheet, values: list[str]) -> None:
    safe_append(sheet, values)
    for cell in sheet[sheet.max_row]:
        cell.fill, cell.font, cell.alignment = HEADER_FILL, HEADER_FONT, WRAP


def _matrix(sheet: Worksheet, comparison: Comparison, rows: list[tuple[str, Row]]) -> None:
    _header(sheet, [_("Question"), _("Field"), *[c.label for c in comparison.columns]])
    for question_label, row in rows:
        safe_append(
            sheet,
            [
                question_label,
                row.field.label,
                *[_cell_value(row, i) for i in range(len(comparison.columns))],
            ],
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = WRAP
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 40
    for index in range(len(comparison.columns)):
        sheet.column_dimensions[get_column_letter(index + 3)].width = 28


def build(comparison: Comparison, report: Report) -> bytes:
    marking = comparison.round.handling_marking
    book = Workbook()
    summary = cast(Worksheet, book.active)  # a new workbook's one sheet
    summary.title = _("Summary")
    _mark(summary, marking)
    safe_append(summary, [marking])
    summary["A1"].font = Font(bold=True, color="8B0000")
    safe_append(summary, [_("Allied Responses report %(n)s") % {"n": report.pk} + f": {comparison.round}"])
    if comparison.addressee_count is not None:
        compared = _("%(n)s responses compared (submitted versions), of %(of)s addressees") % {
            "n": len(comparison.columns),
            "of": comparison.addressee_count,
        }
    else:
        compared = _("%(n)s responses compared (submitted versions)") % {"n": len(comparison.columns)}
    safe_append(summary, [compared])
    if notice := demo_notice():
        safe_append(summary, [notice])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True, color="8B0000")
    safe_append(summary, [])
    _header(
        summary,
        [
            _("Question"),
            _("Field"),
            _("Aggregation"),
            _("Base"),
            _("Answered"),
            _("Declared instead of an answer"),
            _("Sum"),
            _("Minimum"),
            _("Median"),
            _("Maximum"),
            _("Options (count)"),
        ],
    )
    header_row = summary.max_row
    for block in comparison.blocks:
        for row in block.rows:
            s = row.summary
            if row.field.aggregation == "none" and not s.declared_count:
                continue
            numbers = s.numbers
            options = "; ".join(f"{o.label}: {o.count}" for o in (s.options or []) if o.count)
            safe_append(
                summary,
                [
                    f"Q{block.question.number}",
                    row.field.label,
                    row.field.get_aggregation_display(),
                    s.base,
                    s.answered,
                    "; ".join(f"{d.label}: {d.count}" for d in s.declared),
                    numbers.total if numbers and s.summed else None,
                    numbers.minimum if numbers else None,
                    numbers.median if numbers else None,
                    numbers.maximum if numbers else None,
                    options,
                ],
            )
            for cell in summary[summary.max_row]:
                cell.alignment = WRAP
    summary.freeze_panes = cast(Cell, summary.cell(row=header_row + 1, column=1))  # no cell is merged
    for letter, width in zip("ABCDEFGHIJK", (10, 40, 22, 40, 10, 30, 12, 12, 12, 12, 60), strict=True):
        summary.column_dimensions[letter].width = width

    for block in comparison.blocks:
        sheet = book.create_sheet(f"Q{block.question.number}")
        _mark(sheet, marking)
        _matrix(sheet, comparison, [(f"Q{block.question.number}", row) for row in block.rows])

    matrix = book.create_sheet(_("Matrix"))
    _mark(matrix, marking)
    _matrix(matrix, comparison, [(f"Q{b.question.number}", row) for b in comparison.blocks for row in b.rows])

    book.properties.title = _("Allied Responses report %(n)s") % {"n": report.pk}
    book.properties.subject = marking
    book.properties.creator = "Allied Responses"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stamped(content: bytes, *, stamp: str, who: str) -> bytes:
    """The stamp in the workbook's properties and on the summary sheet, neutralised."""
    book = load_workbook(io.BytesIO(content))
    book.properties.description = stamp
    book.properties.lastModifiedBy = who
    summary = book.worksheets[0]  # the summary, whatever its name in the report's language
    summary["B1"] = neutralise_formula(stamp)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
