import csv
import io

from django.utils import timezone

from reports.exporters.safety import neutralise_formula
from reports.models import Report
from reports.selectors import Comparison

HEADER = ["country", "country_codes", "question", "field_key", "field", "answer", "number", "figure_kind"]


def build(comparison: Comparison, report: Report) -> bytes:
    """One row per country (or joint response) per field, UTF-8 with a BOM for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    built = timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M %Z")
    writer.writerow(
        [f"{comparison.round.handling_marking} - Allied Responses report {report.pk}, built {built}"]
    )
    writer.writerow(HEADER)
    for block in comparison.blocks:
        for row in block.rows:
            for column, text, raw in zip(comparison.columns, row.cells, row.raw, strict=True):
                number, kind = "", ""
                if isinstance(raw, dict) and "value" in raw:
                    number, kind = raw["value"], raw.get("figure_kind") or ""
                elif isinstance(raw, int) and not isinstance(raw, bool):
                    number = raw
                writer.writerow(
                    [
                        neutralise_formula(column.label),
                        column.codes,
                        block.question.number,
                        row.field.key,
                        neutralise_formula(row.field.label),
                        neutralise_formula(text),
                        number,
                        kind,
                    ]
                )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
