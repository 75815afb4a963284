import re

import pytest
from django.urls import reverse

from coordination.demo import demo_seed
from reports.selectors import comparison_build
from responses.models import Response

pytestmark = pytest.mark.django_db


def test_columns_are_submitted_responses_only_and_a_joint_response_is_one_column(world):
    comparison = comparison_build(round=world["round"])

    labels = [c.label for c in comparison.columns]
    assert labels == ["Estonia, Latvia, Lithuania", "France", "Germany", "Poland"]
    assert "Italy" in [c.name for c in comparison.not_answered]


def test_summaries_on_known_data(world):
    comparison = comparison_build(round=world["round"])

    troops = comparison.summary("q1_troops_offered").numbers
    assert (troops.total, troops.minimum, troops.maximum, troops.median) == (7000, 800, 5000, 1200)
    assert troops.estimate_columns == ["Poland"]
    force = comparison.summary("q2_force_size").numbers
    assert (force.total, force.median) == (125000, 27500)  # 25,000 for the Baltic states from COMPLETE
    short_term = {o.key: o.count for o in comparison.summary("q3_short_term").options}
    assert (short_term["isr"], short_term["air_missile_defence"], short_term["financing"]) == (2, 1, 0)
    send = {o.key: o.columns for o in comparison.summary("q1_send_troops").options}
    assert send["yes"] == ["Estonia, Latvia, Lithuania", "France", "Poland"]
    assert send["no"] == ["Germany"]


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("eu", ["Estonia, Latvia, Lithuania", "France", "Germany", "Poland"]),
        ("nato", ["Estonia, Latvia, Lithuania", "France", "Germany", "Poland"]),
        ("troops", ["Estonia, Latvia, Lithuania", "France", "Poland"]),
        ("non_eu", []),
    ],
)
def test_country_groups(world, group, expected):
    assert [c.label for c in comparison_build(round=world["round"], group=group).columns] == expected


def test_question_subset(world):
    comparison = comparison_build(round=world["round"], question_numbers=[3, 6])

    assert [b.question.number for b in comparison.blocks] == [3, 6]


def test_the_page_never_shows_a_draft(analyst_client, world):
    html = analyst_client.get(reverse("reports:comparison")).content.decode()

    assert "ITALIAN-DRAFT-SECRET" not in html
    assert 'data-testid="column">Italy' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html


def _page_queries(client, django_assert_num_queries, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url_name", ["comparison", "troops", "us_support", "stationing", "agreement", "sanctions", "changes"]
)
def test_query_count_does_not_grow_from_5_to_50_countries(
    client, us_round, url_name, django_assert_num_queries
):
    from tests.accounts.factories import AnalystFactory

    client.force_login(AnalystFactory())
    url = reverse(f"reports:{url_name}")
    demo_seed(round=us_round, country_count=5, password="x")
    client.get(url)  # the first visit records what the analyst has seen
    with_5 = _page_queries(client, django_assert_num_queries, url)

    demo_seed(round=us_round, country_count=50, password="x")
    assert Response.objects.filter(submitted_version__isnull=False).count() > 35
    client.get(url)
    with_50 = _page_queries(client, django_assert_num_queries, url)

    assert with_5 == with_50
    assert with_50 <= 20


def test_a_view_of_some_questions_does_not_count_as_seen(analyst_client, world):
    from reports.models import SeenVersion

    analyst_client.get(reverse("reports:comparison") + "?questions=1")
    assert not SeenVersion.objects.exists()

    analyst_client.get(reverse("reports:comparison") + "?group=nato")
    assert SeenVersion.objects.filter(user=world["analyst"]).count() == 4


@pytest.mark.parametrize("view", ["troops", "us_support", "sanctions", "stationing"])
def test_a_question_filter_never_empties_a_decision_view(analyst_client, world, view):
    url = reverse(f"reports:{view}")
    unfiltered = analyst_client.get(url).content.decode()
    filtered = analyst_client.get(url, {"questions": [6 if view == "troops" else 1]}).content.decode()

    assert 'data-testid="questions-ignored"' in filtered
    assert 'data-testid="questions-ignored"' not in unfiltered
    if view == "troops":
        total = re.compile(r'data-testid="troops-total">([^<]*)<')
        assert total.search(filtered).group(1) == total.search(unfiltered).group(1) == "7,000"


def test_groups_combine_any_membership_and_offering_troops(world):
    def labels(groups):
        return [c.label for c in comparison_build(round=world["round"], group=groups).columns]

    eu, nato, troops = labels(["eu"]), labels(["nato"]), labels(["troops"])
    assert set(labels(["eu", "nato"])) == set(eu) | set(nato)
    assert set(labels(["eu", "troops"])) == set(eu) & set(troops)
    assert labels(["eu", "troops"])  # France and Poland offer troops and are in the EU


def test_the_page_combines_groups_from_the_filter(analyst_client, world):
    page = analyst_client.get(reverse("reports:comparison"), {"group": ["eu", "troops"]}).content.decode()
    assert page.count('data-testid="column"') == len(
        comparison_build(round=world["round"], group=["eu", "troops"]).columns
    )


def test_the_stationing_view_prints_figures_as_every_other_view_does(client, us_round):
    from responses.models import Country
    from tests.accounts.factories import AnalystFactory
    from tests.responses.factories import COMPLETE, submit

    client.force_login(AnalystFactory())
    for code, months in (("FR", 36), ("DE", 60)):
        fixed = {"q2_duration_kind": "fixed_term", "q2_duration_months": months}
        submit(us_round, [Country.objects.get(code=code)], {**COMPLETE, **fixed})

    page = client.get(reverse("reports:stationing")).content.decode()

    assert "median 48." in page and "48.0" not in page


def test_an_empty_cell_reads_the_same_everywhere_on_the_page(analyst_client, world):
    page = analyst_client.get(reverse("reports:comparison")).content.decode()
    empty = (
        '<span class="text-body-secondary" aria-hidden="true">–</span>'
        '<span class="visually-hidden">Not answered</span>'
    )
    assert empty in page
    assert "<td></td>" not in page
