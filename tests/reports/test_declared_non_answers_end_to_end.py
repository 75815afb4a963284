"""Declared non-answers from end to end: six governments answer through the question pages, some
declaring "no position", "not applicable" or "will not state" where they used to enter filler;
their approvers submit through the submission page; then the comparison, every decision view
and every report format show the same figures, computed from the figures given only, each with
its base (responses of addressees, how many gave a figure, how many declared what)."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import Report
from reports.services import report_build
from responses.selectors import round_addressees
from tests.accounts.factories import AnalystFactory
from tests.reports.factories import downloaded
from tests.responses.factories import answered_and_submitted, pages

pytestmark = pytest.mark.django_db


def declare(key: str, kind: str, reason: str = "") -> dict[str, str]:
    return {f"{key}__declared": kind, f"{key}__declared_reason": reason}


NOT_TAKING_PART = {
    "q1": {"q1_participate": "no", "q1_send_troops": "no"},
    "q2": {
        "q2_force_size": "",
        **declare("q2_force_size", "not_applicable", "We will not take part."),
        "q2_posture": "",
        **declare("q2_posture", "not_applicable"),
        "q2_command": "",
        **declare("q2_command", "not_applicable"),
        "q2_duration_kind": "",
        **declare("q2_duration_kind", "not_applicable"),
    },
    "q3": {
        "q3_us_support_needed": "",
        **declare("q3_us_support_needed", "not_applicable"),
        "q3_backstop_precondition": "",
        **declare("q3_backstop_precondition", "not_applicable"),
    },
    "q4": {
        "q4_rules_of_engagement": "",
        **declare("q4_rules_of_engagement", "not_applicable"),
        "q4_commitment_form": "",
        **declare("q4_commitment_form", "not_applicable"),
    },
    "q5": {
        "q5_maintenance": "",
        **declare("q5_maintenance", "not_applicable"),
        "q5_coproduction": "",
        **declare("q5_coproduction", "not_applicable"),
    },
    "q6": {
        "q6_willing": "",
        **declare("q6_willing", "will_not_state"),
        "q6_timing": "",
        **declare("q6_timing", "will_not_state"),
    },
}

GOVERNMENTS = {
    "FR": pages(
        q1={"q1_send_troops": "yes", "q1_troops_offered": "5000", "q1_troops_offered__kind": "official"},
        q2={"q2_force_size": "30000", "q2_duration_kind": "fixed_term", "q2_duration_months": "36"},
    ),
    "PL": pages(
        q1={"q1_send_troops": "yes", "q1_troops_offered": "1200", "q1_troops_offered__kind": "estimate"},
        q2={"q2_force_size": "10000", "q2_duration_kind": "fixed_term", "q2_duration_months": "48"},
    ),
    "NL": pages(),
    "DE": pages(
        q1={"q1_send_troops": "", **declare("q1_send_troops", "no_position", "Awaiting the Bundestag.")},
        q2={"q2_force_size": "", **declare("q2_force_size", "no_position")},
    ),
    "AT": pages(**NOT_TAKING_PART),
    "ES": pages(q2={"q2_force_size": "", **declare("q2_force_size", "will_not_state")}),
}


@pytest.fixture
def declared_world(us_round):
    for code, data in GOVERNMENTS.items():
        answered_and_submitted(code, data)
    return {"round": us_round, "analyst": AnalystFactory(), "addressees": len(round_addressees(us_round))}


def force_size_base(n: int) -> str:
    return (
        f"6 responses of {n} addressees: 3 gave a figure, 1 declared no position, "
        "1 declared it not applicable, 1 will not state"
    )


def page_of(client: Client, name: str) -> str:
    page = client.get(reverse(name))
    assert page.status_code == 200
    return page.content.decode()


def test_the_comparison_counts_declarations_apart_and_gives_every_base(declared_world, client):
    client.force_login(declared_world["analyst"])
    page = page_of(client, "reports:comparison")
    n = declared_world["addressees"]
    assert force_size_base(n) in page
    # The median of the three figures given (10,000, 25,000, 30,000), not of six with filler.
    assert "Median 25,000" in page
    # Each declaration is shown as such in its cell, with its reason.
    assert "No position at this stage (reason: Awaiting the Bundestag.)" in page
    assert "Not applicable (reason: We will not take part.)" in page
    # Counted apart from the options: five chose whether to send troops, one declared no position.
    assert f"6 responses of {n} addressees: 5 answered, 1 declared no position" in page


def test_every_decision_view_reads_the_figures_given_and_says_its_base(declared_world, client):
    client.force_login(declared_world["analyst"])
    n = declared_world["addressees"]

    troops = page_of(client, "reports:troops")
    assert 'data-testid="troops-total">6,200<' in troops
    assert f"6 responses of {n} addressees: 2 gave a figure" in troops
    assert force_size_base(n) in troops
    assert "Will not state" in troops  # Spain's force size, in its row

    stationing = page_of(client, "reports:stationing")
    assert "median 42." in stationing
    assert f"6 responses of {n} addressees: 2 gave a figure" in stationing
    assert "Not applicable" in stationing  # Austria's duration

    sanctions = page_of(client, "reports:sanctions")
    assert "Will not state" in sanctions  # Austria's readiness, in its row
    # Nobody named a measure (the field is optional): the base says so rather than an empty table.
    assert f"6 responses of {n} addressees: 0 answered" in sanctions

    agreement = page_of(client, "reports:agreement")
    assert f"6 responses of {n} addressees: 5 answered, 1 will not state" in agreement
    assert "not in the shares" in agreement

    us_support = page_of(client, "reports:us_support")
    assert 'data-testid="matrix-base"' in us_support


def test_every_format_shows_the_same_figures_and_bases(declared_world):
    n = declared_world["addressees"]
    report = Report.objects.create(
        round=declared_world["round"],
        requested_by=declared_world["analyst"],
        formats=["html", "xlsx", "pdf", "csv"],
    )
    report = report_build(report_id=report.pk)
    assert report.status == Report.Status.DONE, report.error
    analyst = declared_world["analyst"]

    html = downloaded(report, "html", analyst).decode()
    assert force_size_base(n) in html
    assert "minimum 10,000 · median 25,000 · maximum 30,000" in html
    assert f"6 of {n} addressees" in html

    book = load_workbook(io.BytesIO(downloaded(report, "xlsx", analyst)))
    summary = book["Summary"]
    header = next(r for r in summary.iter_rows(values_only=True) if r[0] == "Question")
    force = next(
        r
        for r in summary.iter_rows(values_only=True)
        if r[1] == "Total personnel proposed for the contingent"
    )
    row = dict(zip(header, force, strict=True))
    assert row["Base"] == force_size_base(n)
    assert row["Median"] == 25000 and row["Minimum"] == 10000 and row["Sum"] is None
    assert row["Declared instead of an answer"] == (
        "No position at this stage: 1; Not applicable: 1; Will not state: 1"
    )

    lines = list(csv.reader(io.StringIO(downloaded(report, "csv", analyst).decode("utf-8-sig"))))
    at = next(i for i, line in enumerate(lines) if line[:1] == ["country"])  # after title and stamp
    rows = [dict(zip(lines[at], line, strict=True)) for line in lines[at + 1 :]]
    germany = next(r for r in rows if r["country_codes"] == "DE" and r["field_key"] == "q2_force_size")
    assert germany["declared"] == "no_position" and germany["number"] == ""
    assert germany["answer"] == "No position at this stage"
    france = next(r for r in rows if r["country_codes"] == "FR" and r["field_key"] == "q2_force_size")
    assert france["number"] == "30000" and france["declared"] == ""

    pdf = PdfReader(io.BytesIO(downloaded(report, "pdf", analyst)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert "3 gave a figure, 1 declared no position, 1 declared it not applicable, 1 will not state" in text
    assert "median 25,000" in text
