"""What the HTML and PDF reports show, computed once from a Comparison."""

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbers import figure
from questionnaire.models import Field
from reports.charts import bar_chart_svg
from reports.decisions import troops_table
from reports.models import Report
from reports.selectors import Comparison


def report_context(comparison: Comparison, report: Report) -> dict[str, Any]:
    troops = troops_table(comparison)
    charts = []
    if troops.troops is not None:
        offers = troops.offers
        if offers:
            median = troops.force_median
            charts.append(
                {
                    "svg": bar_chart_svg(
                        title=_("Troops offered by country"),
                        labels=[label for label, _n in offers],
                        values=[value for _label, value in offers],
                        unit=_("personnel"),
                    ),
                    "caption": (
                        _("%(total)s personnel offered by %(n)s responses")
                        % {"total": figure(sum(v for _label, v in offers)), "n": len(offers)}
                        + (
                            _("; median force size proposed: %(median)s") % {"median": figure(median)}
                            if median
                            else ""
                        )
                    ),
                    "rows": offers,
                }
            )
    choice_summaries = [
        row.summary
        for block in comparison.blocks
        for row in block.rows
        if row.field.aggregation == Field.Aggregation.COUNT
        and (row.summary.answered or row.summary.declared_count)
    ]
    texts = [
        {
            "question": block.question,
            "field": row.field,
            "answers": [
                (column.label, text, language)
                for column, (text, language) in zip(comparison.columns, row.cells_with_language, strict=True)
                if text
            ],
        }
        for block in comparison.blocks
        for row in block.rows
        if row.field.field_type == Field.FieldType.TEXT
    ]
    labels = [column.label for column in comparison.columns]
    sections = [
        {
            "question": block.question,
            "rows": [
                {
                    "field": row.field,
                    "summary": row.summary,
                    "pairs": list(zip(labels, row.cells, strict=True)),
                }
                for row in block.rows
                if row.field.field_type != Field.FieldType.TEXT
            ],
        }
        for block in comparison.blocks
    ]
    return {
        "comparison": comparison,
        "report": report,
        "marking": comparison.round.handling_marking,
        "built_at": timezone.localtime(timezone.now()),
        "charts": charts,
        "choice_summaries": choice_summaries,
        "sections": sections,
        "texts": [t for t in texts if t["answers"]],
        "stamp_placeholder": STAMP_PLACEHOLDER,
        "demo_notice": demo_notice(),
    }


def demo_notice() -> str:
    """The line every file of a demonstration instance carries (empty elsewhere): a file travels
    without the site's banner."""
    if not settings.DEMO_NOTICE:
        return ""
    return _(
        "Demonstration data: every response in this file is invented and states no government's position."
    )


# Replaced at download by who downloaded the file and when.
STAMP_PLACEHOLDER = "<!--download-stamp-->"
