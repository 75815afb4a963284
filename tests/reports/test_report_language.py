"""A report is written in the language chosen when it is requested (headings, labels, summaries,
CSV headers, the download stamp), whoever downloads it; and the same snapshot (exactly the
versions it used) can be built again in another language."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import Report, ReportSource
from reports.services import report_build
from responses.models import Membership
from responses.services import response_return, response_save_draft, response_submit
from tests.reports.factories import downloaded
from tests.responses.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def requested(client, language: str) -> Report:
    answer = client.post(
        reverse("reports:new"), {"formats": ["html", "xlsx", "pdf", "csv"], "language": language}
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    report = Report.objects.latest("pk")
    return report_build(report_id=report.pk)


def test_a_report_requested_in_french_is_written_in_french(world, analyst_client):
    report = requested(analyst_client, "fr")
    assert report.language == "fr" and report.status == Report.Status.DONE
    analyst = world["analyst"]  # browsing in English: the file keeps its own language

    html = downloaded(report, "html", analyst).decode()
    assert '<html lang="fr">' in html
    assert "Chiffres clés" in html and "Key figures" not in html
    assert "Téléchargé par" in html

    book = load_workbook(io.BytesIO(downloaded(report, "xlsx", analyst)))
    assert book.sheetnames[0] == "Synthèse" and "Matrice" in book.sheetnames
    assert book.worksheets[0]["B1"].value.startswith("Téléchargé par")

    lines = list(csv.reader(io.StringIO(downloaded(report, "csv", analyst).decode("utf-8-sig"))))
    assert lines[2][:3] == ["pays", "codes_pays", "question"]

    text = " ".join(
        page.extract_text() or "" for page in PdfReader(io.BytesIO(downloaded(report, "pdf", analyst))).pages
    )
    assert "Chiffres clés" in " ".join(text.split())


def test_the_same_snapshot_is_built_again_in_german_from_exactly_its_versions(world, analyst_client):
    english = requested(analyst_client, "en")
    used = dict(ReportSource.objects.filter(report=english).values_list("response_id", "version_id"))
    # France submits again after the English report was built.
    france = world["france"]
    drafter = MembershipFactory(country=france.authors.get(), role=Membership.Role.DRAFTER).user
    approver = MembershipFactory(country=france.authors.get(), role=Membership.Role.APPROVER).user
    response_return(
        response=france, user=world["coordinator"], comment="Please update.", question_comments={}
    )
    france.refresh_from_db()
    response_save_draft(
        response=france, user=drafter, answers={"q1_comments": "Newer"}, base_version=france.current_number
    )
    response_submit(response=france, user=approver)

    answer = analyst_client.post(reverse("reports:in_language", args=[english.pk]), {"language": "de"})
    assert answer.status_code == 302
    german = report_build(report_id=Report.objects.latest("pk").pk)
    assert german.language == "de" and german.same_versions_as_id == english.pk
    assert dict(ReportSource.objects.filter(report=german).values_list("response_id", "version_id")) == used
    html = downloaded(german, "html", world["analyst"]).decode()
    assert "Kennzahlen" in html and "Newer" not in html


def test_a_language_not_offered_is_refused(world, analyst_client):
    english = requested(analyst_client, "en")
    before = Report.objects.count()
    answer = analyst_client.post(reverse("reports:in_language", args=[english.pk]), {"language": "xx"})
    assert answer.status_code == 302 and Report.objects.count() == before
    page = analyst_client.post(reverse("reports:new"), {"formats": ["csv"], "language": "xx"})
    assert page.status_code == 200 and Report.objects.count() == before


def test_country_staff_cannot_have_a_report_rebuilt_in_another_language(world, client):
    english = Report.objects.create(round=world["round"], requested_by=world["analyst"], formats=["csv"])
    english = report_build(report_id=english.pk)
    staff = MembershipFactory(country=world["france"].authors.get(), role=Membership.Role.APPROVER).user
    client.force_login(staff)
    before = Report.objects.count()
    assert (
        client.post(reverse("reports:in_language", args=[english.pk]), {"language": "fr"}).status_code == 404
    )
    assert Report.objects.count() == before
