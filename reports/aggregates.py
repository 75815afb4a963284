"""Aggregates across countries, computed exactly from the answers of submitted versions.

Pure functions over (column label, value) pairs, so they are tested on known data without a
database. A joint response counts once: it is one column.
"""

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

from questionnaire.models import Field


@dataclass
class OptionCount:
    key: str
    label: str
    columns: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.columns)


@dataclass
class NumberStats:
    count: int
    total: int
    minimum: int
    median: float
    maximum: int
    minimum_columns: list[str]
    maximum_columns: list[str]
    columns: list[str]
    # Figures flagged as estimates, so nobody adds a guess to a commitment without seeing it.
    estimate_columns: list[str]


@dataclass
class FieldSummary:
    field: Field
    answered: int
    responses: int = 0  # the responses compared: the base every figure is read against
    options: list[OptionCount] | None = None
    numbers: NumberStats | None = None
    divergence: float | None = None

    @property
    def summed(self) -> bool:
        """Only an additive figure shows a sum."""
        return self.field.aggregation == Field.Aggregation.SUM_STATS

    @property
    def chosen_options(self) -> list[OptionCount]:
        return [o for o in self.options or [] if o.count]


def _number(field_obj: Field, value: Any) -> int | None:
    if value is None:
        return None
    if field_obj.field_type == Field.FieldType.INTEGER:
        return value.get("value") if isinstance(value, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def number_stats(field_obj: Field, cells: list[tuple[str, Any]]) -> NumberStats | None:
    numbers = [(label, n, value) for label, value in cells if (n := _number(field_obj, value)) is not None]
    if not numbers:
        return None
    values = [n for _, n, _ in numbers]
    low, high = min(values), max(values)
    return NumberStats(
        count=len(values),
        total=sum(values),
        minimum=low,
        median=statistics.median(values),
        maximum=high,
        minimum_columns=[label for label, n, _ in numbers if n == low],
        maximum_columns=[label for label, n, _ in numbers if n == high],
        columns=[label for label, _, _ in numbers],
        estimate_columns=[
            label for label, _, v in numbers if isinstance(v, dict) and v.get("figure_kind") == "estimate"
        ],
    )


def option_counts(
    field_obj: Field, cells: list[tuple[str, Any]], options: list[tuple[str, str]]
) -> list[OptionCount]:
    """How many columns chose each option (choice) or named it (multi, countries)."""
    counts = {key: OptionCount(key=key, label=label) for key, label in options}
    for label, value in cells:
        if value is None:
            continue
        if field_obj.field_type == Field.FieldType.CHOICE:
            chosen = [value]
        elif field_obj.field_type == Field.FieldType.MULTI:
            chosen = value.get("selected", [])
        else:
            chosen = list(value)
        for key in chosen:
            counts.setdefault(key, OptionCount(key=key, label=key)).columns.append(label)
    return list(counts.values())


def divergence(counts: list[OptionCount]) -> float | None:
    """0 when every answer is the same option, 1 when answers spread evenly over all options:
    Shannon entropy of the answer shares, divided by its maximum for that many options."""
    total = sum(c.count for c in counts)
    if total == 0 or len(counts) < 2:
        return None
    # Each term is >= 0, summed from +0.0: all answers on one option give 0.0, never "-0.0".
    entropy = sum(-(c.count / total) * math.log(c.count / total) for c in counts if c.count)
    return round(entropy / math.log(len(counts)), 3)


def summarise(field_obj: Field, cells: list[tuple[str, Any]], options: list[tuple[str, str]]) -> FieldSummary:
    answered = sum(1 for _, value in cells if value is not None)
    summary = FieldSummary(field=field_obj, answered=answered, responses=len(cells))
    agg = field_obj.aggregation
    if agg in (Field.Aggregation.SUM_STATS, Field.Aggregation.STATS):
        summary.numbers = number_stats(field_obj, cells)
    elif agg in (Field.Aggregation.COUNT, Field.Aggregation.MENTIONS):
        summary.options = option_counts(field_obj, cells, options)
        if agg == Field.Aggregation.COUNT:
            summary.divergence = divergence(summary.options)
        else:
            # What most responses named comes first (ties in the taxonomy's order).
            summary.options.sort(key=lambda option: -option.count)
    return summary
