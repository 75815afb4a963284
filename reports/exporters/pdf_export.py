from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from reports.exporters.report_context import report_context
from reports.models import Report
from reports.selectors import Comparison


def build(comparison: Comparison, report: Report) -> bytes:
    """Cover with the marking, key figures and charts, one section per question, an annex of
    full texts; the marking and page numbers on every page (CSS paged media). The document's
    <title> and <meta> tags become the PDF's properties."""
    try:
        # Imported here so that the rest of the app runs on a machine without Pango; only PDF
        # builds need it.
        from weasyprint import HTML
    except OSError as exc:
        raise RuntimeError(
            _("PDF output needs the Pango library on the worker (Debian: libpango-1.0-0 libpangoft2-1.0-0).")
        ) from exc
    html = render_to_string("reports/report_pdf.html", report_context(comparison, report))
    return HTML(string=html).write_pdf()
