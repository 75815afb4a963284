from django.template.loader import render_to_string
from django.utils.html import escape

from reports.exporters.report_context import STAMP_PLACEHOLDER, report_context
from reports.models import Report
from reports.selectors import Comparison

CONTENT_TYPE = "text/html; charset=utf-8"


def build(comparison: Comparison, report: Report) -> bytes:
    """A self-contained, printable page (styles inline: it is also downloaded)."""
    return render_to_string("reports/report_document.html", report_context(comparison, report)).encode(
        "utf-8"
    )


def stamped(content: bytes, *, stamp: str, who: str) -> bytes:
    """The stamp, escaped, where the built page left its place."""
    return content.replace(STAMP_PLACEHOLDER.encode(), escape(stamp).encode("utf-8"), 1)
