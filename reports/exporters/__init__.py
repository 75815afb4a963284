"""One module per file format. Each takes a Comparison and the Report and returns bytes."""

from collections.abc import Callable

from reports.exporters import csv_export, html_export, pdf_export, xlsx_export
from reports.models import Report
from reports.selectors import Comparison

EXPORTERS: dict[str, Callable[[Comparison, Report], bytes]] = {
    Report.Format.HTML: html_export.build,
    Report.Format.XLSX: xlsx_export.build,
    Report.Format.PDF: pdf_export.build,
    Report.Format.CSV: csv_export.build,
}
CONTENT_TYPES = {
    Report.Format.HTML: "text/html; charset=utf-8",
    Report.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Report.Format.PDF: "application/pdf",
    Report.Format.CSV: "text/csv; charset=utf-8",
}
