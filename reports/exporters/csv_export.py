import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.spreadsheets import SafeCsvWriter, neutralise_formula
from reports.exporters.report_context import demo_notice
from reports.models import Report
from reports.selectors import Comparison

CONTENT_TYPE = "text/csv; charset=utf-8"

HEADER = [
    gettext_lazy("country"),
    gettext_lazy("country_codes"),
    gettext_lazy("question"),
    gettext_lazy("field_key"),
    gettext_lazy("field"),
    gettext_lazy("answer"),
    gettext_lazy("number"),
    gettext_lazy("figure_kind"),
    # The declared non-answer's kind (no_position, not_applicable, will_not_state), empty for an
    # answer: "answer" then holds its label and reason, "number" stays empty.
    gettext_lazy("declared"),
]


def build(comparison: Comparison, report: Report) -> bytes:
    """One row per country (or joint response) per field, UTF-8 with a BOM for spreadsheets."""
    out = io.StringIO()
    writer = SafeCsvWriter(out, lineterminator="\r\n")
    built = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M %Z")
    title = _("%(marking)s - Allied Responses report %(n)s, built %(built)s") % {
        "marking": comparison.round.handling_marking,
        "n": report.pk,
        "built": built,
    }
    # One title line (the demonstration notice beside it), the download stamp after it, then the
    # header: a reader that skips the lines above the header skips the same number every time.
    writer.writerow([title, notice] if (notice := demo_notice()) else [title])
    writer.writerow([str(name) for name in HEADER])
    for block in comparison.blocks:
        for row in block.rows:
            for column, text, raw, declared in zip(
                comparison.columns, row.cells, row.raw, row.declared, strict=True
            ):
                number: int | str  # a figure, or "" for none
                number, kind = "", ""
                if isinstance(raw, dict) and "value" in raw:
                    number, kind = raw["value"], raw.get("figure_kind") or ""
                elif isinstance(raw, int) and not isinstance(raw, bool):
                    number = raw
                writer.writerow(
                    [
                        column.label,
                        column.codes,
                        block.question.number,
                        row.field.key,
                        row.field.label,
                        text,
                        number,
                        kind,
                        declared["declared"] if declared else "",
                    ]
                )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def stamped(content: bytes, *, stamp: str, who: str) -> bytes:
    """The stamp as the second line, under the marking, as a neutralised text cell."""
    text = content.decode("utf-8-sig")
    first, _sep, rest = text.partition("\r\n")
    line = '"' + neutralise_formula(stamp).replace('"', '""') + '"'
    return ("\ufeff" + first + "\r\n" + line + "\r\n" + rest).encode("utf-8")
