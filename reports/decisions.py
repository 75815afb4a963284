"""The tables of the views decision makers ask for, computed from a Comparison by the fields'
roles in the definition (questionnaire/definition.py DecisionRole), never by field key: another
questionnaire tags its own fields and gets the same views. The dashboards (reports/views.py) and
the built reports (reports/exporters/report_context.py) read them from here alike.

A role that no field of the questionnaire holds gives an empty table, which the pages say.
"""

from dataclasses import dataclass, field
from typing import Any, cast

from questionnaire.models import Taxonomy
from reports.aggregates import FieldSummary
from reports.selectors import Column, Comparison, Row


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
