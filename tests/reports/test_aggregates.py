import pytest

from questionnaire.models import Field
from reports.aggregates import divergence, number_stats, option_counts, summarise

YES_NO = [("yes", "Yes"), ("no", "No"), ("undecided", "Undecided")]


def integer_field(**kwargs) -> Field:
    return Field(key="troops", field_type="integer", aggregation="sum+stats", has_figure_kind=True, **kwargs)


def test_sum_min_median_max_with_the_countries_behind_each():
    cells = [
        ("France", {"value": 5000, "figure_kind": "official"}),
        ("Poland", {"value": 1200, "figure_kind": "estimate"}),
        ("Italy", None),
        ("Estonia, Latvia, Lithuania", {"value": 5000, "figure_kind": "official"}),
        ("Spain", {"value": 300, "figure_kind": None}),
    ]

    stats = number_stats(integer_field(), cells)

    assert (stats.count, stats.total, stats.minimum, stats.maximum) == (4, 11500, 300, 5000)
    assert stats.median == 3100  # even count: mean of the middle two (1200, 5000)
    assert stats.maximum_columns == ["France", "Estonia, Latvia, Lithuania"]
    assert stats.minimum_columns == ["Spain"]
    assert stats.estimate_columns == ["Poland"]


def test_months_are_plain_numbers():
    months = Field(key="m", field_type="months", aggregation="sum+stats")

    stats = number_stats(months, [("A", 12), ("B", 36), ("C", 24)])

    assert (stats.total, stats.median) == (72, 24)


def test_no_numbers_no_stats():
    assert number_stats(integer_field(), [("A", None)]) is None


def test_counts_by_option_keep_every_option_and_who_chose_it():
    choice = Field(key="c", field_type="choice", aggregation="count")

    counts = option_counts(choice, [("A", "yes"), ("B", "no"), ("C", "yes"), ("D", None)], YES_NO)

    assert [(c.key, c.count, c.columns) for c in counts] == [
        ("yes", 2, ["A", "C"]),
        ("no", 1, ["B"]),
        ("undecided", 0, []),
    ]


def test_mentions_count_each_named_option_once_per_response():
    multi = Field(key="m", field_type="multi", aggregation="mentions")
    options = [("isr", "ISR"), ("airlift", "Airlift")]

    counts = option_counts(
        multi,
        [
            ("A", {"selected": ["isr", "airlift"], "other": ""}),
            ("B", {"selected": ["isr"], "other": ""}),
            ("C", None),
        ],
        options,
    )

    assert {c.key: c.count for c in counts} == {"isr": 2, "airlift": 1}


@pytest.mark.parametrize(
    ("chosen", "expected"),
    [
        (["yes", "yes", "yes"], 0.0),  # full agreement
        (["yes", "no", "undecided"], 1.0),  # evenly spread over all three options
        (["yes", "yes", "no", "no"], 0.631),  # ln 2 / ln 3
        ([], None),
    ],
)
def test_divergence(chosen, expected):
    choice = Field(key="c", field_type="choice", aggregation="count")
    counts = option_counts(choice, [(str(i), v) for i, v in enumerate(chosen)], YES_NO)

    assert divergence(counts) == expected


def test_summarise_picks_the_aggregation_of_the_field():
    choice = Field(key="c", field_type="choice", aggregation="count")
    text = Field(key="t", field_type="text", aggregation="none")

    choice_summary = summarise(choice, [("A", "yes"), ("B", None)], YES_NO)
    text_summary = summarise(text, [("A", "free text")], [])

    assert choice_summary.answered == 1
    assert [o.key for o in choice_summary.chosen_options] == ["yes"]
    assert choice_summary.divergence == 0.0
    assert text_summary.options is None and text_summary.numbers is None


def test_unanimous_answers_show_divergence_zero_never_minus_zero():
    choice = Field(key="c", field_type="choice", aggregation="count")
    counts = option_counts(choice, [("A", "yes"), ("B", "yes")], YES_NO)

    assert str(divergence(counts)) == "0.0"


def test_mentions_are_listed_by_how_often_they_were_named():
    multi = Field(key="m", field_type="multi", aggregation="mentions")
    options = [("isr", "ISR"), ("airlift", "Airlift"), ("fires", "Long-range fires")]
    cells = [
        ("A", {"selected": ["fires", "airlift"], "other": ""}),
        ("B", {"selected": ["fires"], "other": ""}),
        ("C", {"selected": ["fires", "airlift", "isr"], "other": ""}),
    ]

    summary = summarise(multi, cells, options)

    assert [(o.key, o.count) for o in summary.options] == [("fires", 3), ("airlift", 2), ("isr", 1)]
