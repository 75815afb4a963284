import io

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.translation import gettext as _

from reports.exporters.report_context import report_context
from reports.models import Report
from reports.selectors import Comparison

CONTENT_TYPE = "application/pdf"

# Debian's Noto fonts (fonts-noto-core, fonts-noto-cjk; .ci/run and the Dockerfile install them):
# answers arrive in any script, and a missing glyph is drawn as an empty box. Pango takes the
# first family that has the character, so every script finds a real glyph.
FONT_STACK = (
    '"Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", "Noto Sans Hebrew", "DejaVu Sans", sans-serif'
)


def _weasyprint_html():
    try:
        # Imported here so that the rest of the app runs on a machine without Pango; only PDF
        # builds need it.
        from weasyprint import HTML
    except OSError as exc:
        raise RuntimeError(
            _("PDF output needs the Pango library on the worker (Debian: libpango-1.0-0 libpangoft2-1.0-0).")
        ) from exc
    return HTML


def build(comparison: Comparison, report: Report) -> bytes:
    """Cover with the marking, key figures and charts, one section per question, an annex of
    full texts; the marking and page numbers on every page (CSS paged media). The document's
    <title> and <meta> tags become the PDF's properties."""
    context = {**report_context(comparison, report), "font_stack": FONT_STACK}
    html = render_to_string("reports/report_pdf.html", context)
    return _weasyprint_html()(string=html).write_pdf()


def stamped(content: bytes, *, stamp: str, who: str) -> bytes:
    """The PDF with `stamp` (who downloaded it, when) printed at the foot of every page and in
    its properties: a page printed or photographed on its own still says whose copy it was."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(content))
    box = reader.pages[0].mediabox
    width_mm, height_mm = float(box.width) * 25.4 / 72, float(box.height) * 25.4 / 72
    overlay_html = (
        f"<style>@page {{ size: {width_mm:.1f}mm {height_mm:.1f}mm; margin: 0 }}"
        f"p {{ position: absolute; left: 16mm; bottom: 3mm; margin: 0; font: 7pt {FONT_STACK}; color: #444 }}"
        f"</style><p>{escape(stamp)}</p>"
    )
    overlay = PdfReader(io.BytesIO(_weasyprint_html()(string=overlay_html).write_pdf())).pages[0]
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        page.merge_page(overlay)
    writer.add_metadata({"/Subject": stamp, "/Author": who})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
