from django.template.loader import render_to_string

from reports.exporters.report_context import report_context
from reports.models import Report
from reports.selectors import Comparison


def build(comparison: Comparison, report: Report) -> bytes:
    """A self-contained, printable page (styles inline: it is also downloaded)."""
    return render_to_string("reports/report_document.html", report_context(comparison, report)).encode(
        "utf-8"
    )
