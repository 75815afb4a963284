"""Each exporter's file opened and read back, with hostile free text in it."""

import csv
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from reports.models import Report, ReportFile, ReportSource
from reports.services import report_build, report_file_stamped
from tests.reports.conftest import INJECTIONS, XSS

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(world):
    report = Report.objects.create(
        round=world["round"], requested_by=world["analyst"], formats=["html", "xlsx", "pdf", "csv"]
    )
    report = report_build(report_id=report.pk)
    assert report.status == Report.Status.DONE, report.error
    return report


def content(report, fmt, user=None) -> bytes:
    report_file = ReportFile.objects.get(report=report, format=fmt)
    if user is None:
        return bytes(report_file.content)
    return report_file_stamped(report_file=report_file, user=user, at=timezone.now())


def test_the_snapshot_records_exactly_the_versions_used(built, world):
    used = dict(ReportSource.objects.filter(report=built).values_list("response_id", "version_id"))

    assert used == {
        r.pk: r.submitted_version_id
        for r in (world["france"], world["poland"], world["baltic"], world["germany"])
    }
    assert world["italy"].pk not in used


def test_csv_one_row_per_country_per_field_with_bom_and_neutralised_cells(built, world):
    raw = content(built, "csv", user=world["analyst"])

    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert table[0][0].startswith("NATO RESTRICTED")
    assert table[1][0].startswith("Downloaded by")
    rows = [dict(zip(table[2], row, strict=True)) for row in table[3:]]
    assert len(rows) == 4 * 37
    by_key = {(r["country"], r["field_key"]): r for r in rows}
    assert by_key[("France", "q1_troops_offered")]["number"] == "5000"
    assert by_key[("Poland", "q1_troops_offered")]["figure_kind"] == "estimate"
    assert by_key[("Estonia, Latvia, Lithuania", "q1_troops_offered")]["country_codes"] == "EE+LV+LT"
    for key, payload in zip(
        ["q1_comments", "q2_comments", "q3_comments", "q4_comments", "q5_comments"],
        INJECTIONS[1:],
        strict=True,
    ):
        assert by_key[("Poland", key)]["answer"] == "'" + payload
    assert by_key[("France", "q1_comments")]["answer"].startswith("'=HYPERLINK")
    assert "ITALIAN-DRAFT-SECRET" not in raw.decode("utf-8-sig")


def test_xlsx_sheets_frozen_headers_numbers_and_neutralised_text(built, world):
    book = load_workbook(io.BytesIO(content(built, "xlsx", user=world["analyst"])))

    assert book.sheetnames == ["Summary", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Matrix"]
    q1 = book["Q1"]
    assert q1.freeze_panes == "C2"
    header = [cell.value for cell in q1[1]]
    assert header[:3] == ["Question", "Field", "Estonia, Latvia, Lithuania"]
    france = header.index("France") + 1
    rows = {row[1].value: row for row in q1.iter_rows(min_row=2)}
    troops = rows["Troops your government would offer"][france - 1]
    assert troops.value == 5000 and troops.data_type == "n"
    comment = rows["Comments on participation and troops"][france - 1]
    assert comment.data_type == "s"
    assert comment.value.startswith("'=HYPERLINK")
    assert XSS in comment.value  # a spreadsheet shows text as text
    assert q1.column_dimensions["B"].width == 40
    assert rows["Comments on participation and troops"][france - 1].alignment.wrap_text
    assert book["Summary"]["A1"].value == "NATO RESTRICTED"
    assert book["Summary"]["B1"].value.startswith("Downloaded by")
    assert book.properties.description.startswith("Downloaded by")
    assert q1.oddHeader.center.text == "NATO RESTRICTED"
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert not (
                    isinstance(cell.value, str) and cell.value[:1] in ("=", "+", "-", "@", "\t", "\r")
                ), (
                    sheet.title,
                    cell.coordinate,
                    cell.value,
                )


def test_pdf_cover_sections_annex_marking_and_page_numbers(built, world):
    raw = content(built, "pdf", user=world["analyst"])
    reader = PdfReader(io.BytesIO(raw))
    pages = [page.extract_text() for page in reader.pages]

    assert "Security arrangements for Ukraine" in pages[0]
    assert all("NATO RESTRICTED" in text for text in pages)
    assert all(f"Page {i} / {len(pages)}" in text for i, text in enumerate(pages, start=1))
    text = "\n".join(pages)
    assert "Key figures" in text and "Troops offered by country" in text
    for title in ["Q1. Participation and troops", "Q6. Sanctions escalation", "Annex: full texts"]:
        assert title in text
    assert '<script>alert("x")</script>' in text  # shown as text, not run
    assert "ITALIAN-DRAFT-SECRET" not in text
    assert reader.metadata["/Subject"].startswith("Downloaded by")
    assert reader.metadata["/Keywords"] == "NATO RESTRICTED"


def test_html_is_escaped_printable_and_stamped(built, world):
    html = content(built, "html", user=world["analyst"]).decode()

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")</script>' not in html
    assert html.count('class="marking-banner">NATO RESTRICTED</div>') == 2
    assert "Downloaded by" in html
    assert "ITALIAN-DRAFT-SECRET" not in html


def test_a_report_for_some_countries_and_questions(world):
    report = Report.objects.create(
        round=world["round"],
        requested_by=world["analyst"],
        formats=["csv"],
        country_codes=["FR", "LV"],
        question_numbers=[1],
    )
    report_build(report_id=report.pk)

    rows = list(csv.reader(io.StringIO(content(report, "csv").decode("utf-8-sig"), newline="")))[2:]
    assert {r[0] for r in rows} == {"France", "Estonia, Latvia, Lithuania"}
    assert {r[2] for r in rows} == {"1"}


def test_an_unusual_marking_is_printed_as_written_on_every_pdf_page(world):
    from questionnaire.models import Round

    marking = 'NATO RESTRICTED - REL; "X" <Y>'
    Round.objects.filter(pk=world["round"].pk).update(handling_marking=marking)
    report = Report.objects.create(
        round=Round.objects.get(pk=world["round"].pk), requested_by=world["analyst"], formats=["pdf"]
    )
    report_build(report_id=report.pk)

    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content(report, "pdf"))).pages]
    assert all(marking in text for text in pages)


def test_only_a_finished_report_can_be_downloaded(client, world):
    from django.urls import reverse

    report = Report.objects.create(round=world["round"], requested_by=world["analyst"], formats=["csv"])
    report_build(report_id=report.pk)
    Report.objects.filter(pk=report.pk).update(status=Report.Status.FAILED)
    client.force_login(world["analyst"])

    assert client.get(reverse("reports:download", args=[report.pk, "csv"])).status_code == 404
