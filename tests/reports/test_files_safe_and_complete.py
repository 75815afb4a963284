"""Every file is safe and complete: no text reaches a spreadsheet cell as a formula (the
coordinator's marking included), PDFs draw every script with real glyphs, the download stamp is on
every PDF page and on the XLSX's first sheet, and a demonstration instance says so in every file."""

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from core.spreadsheets import FORMULA_TRIGGERS
from questionnaire.models import Round
from reports.models import Report
from reports.services import report_build
from responses.models import Country
from tests.reports.factories import downloaded
from tests.responses.factories import COMPLETE, submit

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

HOSTILE_MARKING = '=HYPERLINK("http://evil.invalid","NATO RESTRICTED") & more'
SCRIPTS = {
    "greek": "Ελληνική θέση",
    "cyrillic": "Позиція України",
    "hebrew": "עמדה רשמית",
    "arabic": "الموقف الرسمي",
    "chinese": "中文答复内容",
    "japanese": "日本語の回答",
}


def built_report(world, formats: list[str]) -> Report:
    report = Report.objects.create(round=world["round"], requested_by=world["analyst"], formats=formats)
    report = report_build(report_id=report.pk)
    assert report.status == Report.Status.DONE, report.error
    return report


def xlsx_texts(raw: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(raw))
    return [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]


@pytest.fixture
def hostile_marking(world):
    Round.objects.filter(pk=world["round"].pk).update(handling_marking=HOSTILE_MARKING)
    world["round"].refresh_from_db()
    return world


def test_no_spreadsheet_cell_starts_a_formula_marking_and_names_included(hostile_marking):
    world = hostile_marking
    world["analyst"].first_name, world["analyst"].last_name = "=cmd|' /C calc'!A0", ""
    world["analyst"].save()
    report = built_report(world, ["xlsx", "csv"])

    texts = xlsx_texts(downloaded(report, "xlsx", world["analyst"]))
    assert "'" + HOSTILE_MARKING in texts  # shown as written, as text
    assert [t for t in texts if t.startswith(FORMULA_TRIGGERS)] == []
    book = load_workbook(io.BytesIO(downloaded(report, "xlsx", world["analyst"])))
    # In a page header "&" starts a code: the marking's own "&" is doubled to print as "&".
    assert "&& more" in book["Summary"].oddHeader.center.text

    rows = list(csv.reader(io.StringIO(downloaded(report, "csv", world["analyst"]).decode("utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells)
    assert [cell for cell in cells if cell.startswith(FORMULA_TRIGGERS)] == []


def test_the_download_stamp_is_on_every_pdf_page_and_the_first_sheet(world):
    world["analyst"].first_name, world["analyst"].last_name = "Ana", "Lyst"
    world["analyst"].save()
    report = built_report(world, ["pdf", "xlsx"])
    raw = downloaded(report, "pdf", world["analyst"])
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-stamped.pdf").write_bytes(raw)  # for a person to look at
    reader = PdfReader(io.BytesIO(raw))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 3
    assert all("Downloaded by Ana Lyst" in text for text in pages), [t[-200:] for t in pages]

    first = load_workbook(io.BytesIO(downloaded(report, "xlsx", world["analyst"]))).worksheets[0]
    assert any(
        isinstance(cell.value, str) and cell.value.startswith("Downloaded by Ana Lyst")
        for row in first.iter_rows(max_row=5)
        for cell in row
    )


def test_pdf_draws_every_script_with_real_glyphs(us_round, world):
    submit(
        us_round,
        [Country.objects.get(code="NO")],
        {**COMPLETE, **{f"q{n}_comments": text for n, text in enumerate(SCRIPTS.values(), start=1)}},
    )
    report = built_report(world, ["pdf"])
    reader = PdfReader(io.BytesIO(downloaded(report, "pdf", world["analyst"])))

    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
        if "/BaseFont" in font.get_object()
    }
    assert any("CJK" in name for name in fonts), fonts  # Chinese and Japanese
    assert any("Arabic" in name for name in fonts), fonts
    assert any("Hebrew" in name for name in fonts), fonts
    text = "".join(page.extract_text() for page in reader.pages)
    for script, sample in SCRIPTS.items():
        if script in ("hebrew", "arabic"):
            continue  # right-to-left text is extracted in visual order
        assert sample in text, f"{script} text is not in the PDF as written"


@pytest.mark.parametrize("fmt", ["html", "xlsx", "pdf", "csv"])
def test_a_demonstration_instance_says_so_in_every_file(world, settings, fmt):
    settings.DEMO_NOTICE = True
    report = built_report(world, [fmt])
    raw = downloaded(report, fmt, world["analyst"])
    if fmt == "xlsx":
        text = "\n".join(xlsx_texts(raw))
    elif fmt == "pdf":
        text = PdfReader(io.BytesIO(raw)).pages[0].extract_text().replace("\n", " ")
    else:
        text = raw.decode("utf-8-sig")
    assert "Demonstration data: every response in this file is invented" in text


def test_no_demonstration_notice_in_a_real_instance(world, settings):
    settings.DEMO_NOTICE = False
    report = built_report(world, ["csv"])
    assert "Demonstration data" not in downloaded(report, "csv", world["analyst"]).decode("utf-8-sig")
