"""One module per file format, each with build(comparison, report) -> bytes, stamped(content,
stamp=..., who=...) -> bytes (the file as one person downloads it) and CONTENT_TYPE."""

from types import ModuleType

from reports.exporters import csv_export, html_export, pdf_export, xlsx_export
from reports.models import Report

FORMATS: dict[str, ModuleType] = {
    Report.Format.HTML: html_export,
    Report.Format.XLSX: xlsx_export,
    Report.Format.PDF: pdf_export,
    Report.Format.CSV: csv_export,
}
