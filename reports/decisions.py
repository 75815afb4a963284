"""The tables of the views decision makers ask for, computed from a Comparison by the fields'
roles in the definition (questionnaire/definition.py DecisionRole), never by field key: another
questionnaire tags its own fields and gets the same views. The dashboards (reports/views.py) and
the built reports (reports/exporters/report_context.py) read them from here alike.

A role that no field of the questionnaire holds gives an empty table, which the pages say.
"""

from dataclasses import dataclass, field
from typing import Any, cast

from accounts.models import User
from questionnaire.models import Field, Question, Taxonomy
from reports.aggregates import FieldSummary
from reports.models import SeenVersion
from reports.selectors import Column, Comparison, Row
from responses.display import answers_difference
from responses.models import ResponseVersion


@dataclass
class TroopsLine:
    column: Column
    offered: int | None
    kind: str | None
    proposed: int | None
    # What a response declared instead of a figure, as every page shows it.
    offered_declared: str = ""
    proposed_declared: str = ""


@dataclass
class TroopsTable:
    """Troops offered against the force size proposed, response by response."""

    lines: list[TroopsLine]
    troops: Row | None
    force: Row | None

    @property
    def offered_total(self) -> int:
        return sum(line.offered or 0 for line in self.lines)

    @property
    def estimate_total(self) -> int:
        return sum(line.offered or 0 for line in self.lines if line.kind == "estimate")

    @property
    def offers(self) -> list[tuple[str, int]]:
        """(response, troops) of the responses that offer some, largest first."""
        offered = [(line.column.label, line.offered) for line in self.lines if line.offered]
        return sorted(offered, key=lambda pair: -pair[1])

    @property
    def force_median(self) -> float | None:
        numbers = self.force.summary.numbers if self.force else None
        return numbers.median if numbers else None

    @property
    def coverage(self) -> int | None:
        """The troops offered as a share of the median force size proposed, in per cent."""
        median = self.force_median
        return round(100 * self.offered_total / median) if median else None


def _figure(raw: Any) -> tuple[int | None, str | None]:
    return (raw.get("value"), raw.get("figure_kind")) if isinstance(raw, dict) else (None, None)


def troops_table(comparison: Comparison) -> TroopsTable:
    troops = comparison.row_with_role("troops_offered")
    force = comparison.row_with_role("force_size")
    lines = []
    for index, column in enumerate(comparison.columns):
        offered, kind = _figure(troops.raw[index]) if troops else (None, None)
        proposed, _kind = _figure(force.raw[index]) if force else (None, None)
        lines.append(
            TroopsLine(
                column=column,
                offered=offered,
                kind=kind,
                proposed=proposed,
                offered_declared=troops.cells[index] if troops and troops.declared[index] else "",
                proposed_declared=force.cells[index] if force and force.declared[index] else "",
            )
        )
    return TroopsTable(lines=lines if troops or force else [], troops=troops, force=force)


@dataclass
class OptionMatrix:
    """Response x option, for the multi fields that hold a role and share a taxonomy (short and
    long term): each cell names the fields whose answer chose the option."""

    options: list[tuple[str, str]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    totals: list[int] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def fields(self) -> list[Any]:
        return [row.field for row in self.rows]

    @property
    def summaries(self) -> list[FieldSummary]:
        return [row.summary for row in self.rows]

    @property
    def legend(self) -> str:
        """What each mark stands for, when several fields share the matrix ("S = Short term")."""
        if len(self.rows) < 2:
            return ""
        return ", ".join(f"{mark_of(row, index)} = {row.field.label}" for index, row in enumerate(self.rows))


def mark_of(row: Row, index: int) -> str:
    """The field's mark in a matrix of several (the definition's, else its place: 1, 2...)."""
    return row.field.mark or str(index + 1)


def option_matrix(comparison: Comparison, role: str) -> OptionMatrix:
    rows = comparison.rows_with_role(role)
    if not rows:
        return OptionMatrix()
    # A role held by choice fields (option matrices): they have a taxonomy.
    options = [(o.key, o.label) for o in cast(Taxonomy, rows[0].field.taxonomy).options.all()]
    lines: list[dict[str, Any]] = []
    for index, column in enumerate(comparison.columns):
        marks = []
        for key, _label in options:
            marks.append(
                [
                    {"mark": mark_of(row, place), "label": row.field.label}
                    for place, row in enumerate(rows)
                    if key in ((row.raw[index] or {}).get("selected", []))
                ]
            )
        declared = [f"{row.field.label}: {row.cells[index]}" for row in rows if row.declared[index]]
        lines.append({"column": column, "marks": marks, "declared": declared})
    totals = [sum(1 for line in lines if line["marks"][i]) for i in range(len(options))]
    return OptionMatrix(options=options, lines=lines, totals=totals, rows=rows)


def sanctions_matrix(comparison: Comparison) -> OptionMatrix:
    """The measures each response would take, with its willingness and timing beside them."""
    matrix = option_matrix(comparison, "sanctions_measures")
    willing = comparison.row_with_role("sanctions_willing")
    timing = comparison.row_with_role("sanctions_timing")
    for index, line in enumerate(matrix.lines):
        line["willing"] = willing.cells[index] if willing else ""
        line["timing"] = timing.cells[index] if timing else ""
    return matrix


@dataclass
class StationingTable:
    rows: list[Row]
    lines: list[dict[str, Any]]
    areas: FieldSummary | None
    months: FieldSummary | None

    @property
    def fields(self) -> list[Any]:
        return [row.field for row in self.rows]

    @property
    def area_counts(self) -> list[Any]:
        return [o for o in (self.areas.options or []) if o.count] if self.areas else []


def stationing_table(comparison: Comparison) -> StationingTable:
    """Where each response would station forces and for how long."""
    rows = comparison.rows_with_role("stationing")
    lines = [
        {"column": column, "cells": [row.cells[index] for row in rows]}
        for index, column in enumerate(comparison.columns)
    ]
    areas = comparison.row_with_role("stationing_areas")
    months = comparison.row_with_role("stationing_months")
    return StationingTable(
        rows=rows,
        lines=lines,
        areas=areas.summary if areas else None,
        months=months.summary if months else None,
    )


@dataclass
class SubmissionChanges:
    """What changed between each response's last two submissions, and since the analyst last
    opened the comparison (SeenVersion)."""

    resubmitted: list[dict[str, Any]]
    since_seen: list[dict[str, Any]]


def submission_changes(comparison: Comparison, user: User) -> SubmissionChanges:
    """Two queries whatever the number of responses."""
    response_ids = [c.response.pk for c in comparison.columns]
    submissions: dict[int, list[ResponseVersion]] = {}
    for version in ResponseVersion.objects.filter(
        response_id__in=response_ids, kind=ResponseVersion.Kind.SUBMISSION
    ).order_by("response_id", "-number"):
        submissions.setdefault(version.response_id, []).append(version)
    seen = {
        s.response_id: s.version
        for s in SeenVersion.objects.filter(user=user, response_id__in=response_ids).select_related("version")
    }
    resubmitted, since_seen = [], []
    for column in comparison.columns:
        versions = submissions.get(column.response.pk, [])
        if len(versions) > 1:
            resubmitted.append(
                {
                    "column": column,
                    "older": versions[1],
                    "newer": versions[0],
                    "differences": answers_difference(
                        comparison.formatter, versions[1].answers, versions[0].answers
                    ),
                }
            )
        last_seen = seen.get(column.response.pk)
        if last_seen is None or last_seen.pk != column.version.pk:
            since_seen.append(
                {
                    "column": column,
                    "older": last_seen,
                    "differences": answers_difference(
                        comparison.formatter, last_seen.answers if last_seen else {}, column.version.answers
                    )
                    if last_seen
                    else [],
                }
            )
    return SubmissionChanges(resubmitted=resubmitted, since_seen=since_seen)


def agreement_table(
    comparison: Comparison,
) -> tuple[list[tuple[Question, FieldSummary]], list[tuple[Question, FieldSummary]]]:
    """Agreement and divergence per question: the choice fields' summaries with each option's
    share of the answers, in the questionnaire's order and most divided first. A question every
    response declared a non-answer to stays, with its base."""
    summaries = [
        (block.question, row.summary)
        for block in comparison.blocks
        for row in block.rows
        if row.field.aggregation == Field.Aggregation.COUNT
    ]
    answered = [(q, s) for q, s in summaries if s.answered or s.declared_count]
    for _question, summary in answered:
        for option in summary.options or []:
            option.share = round(100 * option.count / summary.answered) if summary.answered else 0
    ranked = sorted(answered, key=lambda pair: -(pair[1].divergence or 0))
    return answered, ranked
