"""Aggregates across countries, computed exactly from the answers of submitted versions.

Pure functions over (column label, value) pairs, so they are tested on known data without a
database. A joint response counts once: it is one column.
"""

import dataclasses
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from questionnaire.answers import NON_ANSWER_COUNTED, NON_ANSWER_KINDS
from questionnaire.models import Field


@dataclass
class OptionCount:
    key: str
    label: str
    columns: list[str] = field(default_factory=list)
    # Its part of the answers, in per cent, for the agreement view (reports/decisions.py).
    share: int = 0

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
class DeclaredCount:
    """The responses that declared one kind of non-answer to a field instead of answering it."""

    kind: str
    columns: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.columns)

    @property
    def label(self) -> str:
        return str(NON_ANSWER_KINDS.get(self.kind, self.kind))

    @property
    def counted(self) -> str:
        """ "4 declared no position"."""
        return f"{self.count} {NON_ANSWER_COUNTED.get(self.kind, self.kind)}"


@dataclass
class FieldSummary:
    field: Field
    answered: int  # responses that gave an answer: declared non-answers are not among them
    responses: int = 0  # the responses compared: the base every figure is read against
    options: list[OptionCount] | None = None
    numbers: NumberStats | None = None
    divergence: float | None = None
    # dataclasses.field spelled out: in this class body `field` names the attribute above.
    declared: list[DeclaredCount] = dataclasses.field(default_factory=list)
    # The round's addressees in the comparison's scope (None where a filter has no such base,
    # "offering troops"): what the responses are out of.
    addressees: int | None = None

    @property
    def base(self) -> str:
        """What every figure of the summary is read against, in words: "10 responses of 32
        addressees: 6 gave a figure, 4 declared no position". Shown beside it in every view and
        file, so no median is read without the count of countries behind it."""
        if self.addressees is not None:
            head = ngettext(
                "%(n)s response of %(of)s addressees", "%(n)s responses of %(of)s addressees", self.responses
            ) % {"n": self.responses, "of": self.addressees}
        else:
            head = ngettext("%(n)s response", "%(n)s responses", self.responses) % {"n": self.responses}
        if self.field.aggregation in (Field.Aggregation.SUM_STATS, Field.Aggregation.STATS):
            gave = ngettext("%(n)s gave a figure", "%(n)s gave a figure", self.given) % {"n": self.given}
        else:
            gave = ngettext("%(n)s answered", "%(n)s answered", self.answered) % {"n": self.answered}
        parts = [gave, *(d.counted for d in self.declared if d.count)]
        return _("%(head)s: %(parts)s") % {"head": head, "parts": ", ".join(parts)}

    @property
    def given(self) -> int:
        """Responses whose figure enters the statistics."""
        return self.numbers.count if self.numbers else 0

    @property
    def declared_count(self) -> int:
        return sum(d.count for d in self.declared)

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


def summarise(
    field_obj: Field,
    cells: list[tuple[str, Any]],
    options: list[tuple[str, str]],
    *,
    declared: Sequence[tuple[str, str]] = (),
    addressees: int | None = None,
) -> FieldSummary:
    """`cells` hold answers only (None where a response declared a non-answer or left the field
    empty); `declared` the (column, kind) of each declared non-answer, counted apart and in no
    figure."""
    answered = sum(1 for _label, value in cells if value is not None)
    by_kind: dict[str, DeclaredCount] = {}
    for label, kind in declared:
        by_kind.setdefault(kind, DeclaredCount(kind=kind)).columns.append(label)
    order = list(NON_ANSWER_KINDS)
    summary = FieldSummary(
        field=field_obj,
        answered=answered,
        responses=len(cells),
        declared=sorted(by_kind.values(), key=lambda d: order.index(d.kind) if d.kind in order else 99),
        addressees=addressees,
    )
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
