"""The analyst's journey: compare, filter, request a report, wait for it, download the PDF."""

import contextlib
import io

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from config.celery import app as celery_app
from coordination.demo import demo_seed
from tests.accounts.factories import TEST_PASSWORD, AnalystFactory
from tests.browser.conftest import ARTIFACTS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_compares_filters_requests_and_downloads_a_report(page: Page, live_server, us_round):
    demo_seed(round=us_round, country_count=30, password="unused-demo-password")
    AnalystFactory(username="analyst.one")
    base = live_server.url
    # With Redis configured, a real worker builds the report; without it, tasks run eagerly.
    worker = (
        start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30)
        if settings.REDIS_URL
        else contextlib.nullcontext()
    )
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("analyst.one")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Compare", exact=True).click()
    matrix = page.get_by_test_id("matrix")
    expect(matrix).to_be_visible()
    all_columns = page.get_by_test_id("column").count()
    page.get_by_label("Countries").select_option("nato")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_label("Countries")).to_have_value("nato")
    nato_columns = page.get_by_test_id("column").count()
    assert 0 < nato_columns < all_columns
    expect(page.get_by_test_id("column").filter(has_text="Austria")).to_have_count(0)  # not in NATO
    screenshot(page, "analyst-01-comparison-nato")

    page.get_by_role("link", name="Troops and force size").click()
    expect(page.get_by_test_id("troops-total")).to_be_visible()
    screenshot(page, "analyst-02-troops")

    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Request a report").click()
    with worker:
        page.locator("main").get_by_role("button", name="Build the report").click()
        expect(page.get_by_test_id("report-status")).to_contain_text("Done", timeout=90_000)
    screenshot(page, "analyst-03-report-done")

    with page.expect_download() as download_info:
        page.get_by_test_id("download-pdf").click()
    pdf_path = ARTIFACTS / "analyst-report.pdf"
    download_info.value.save_as(pdf_path)
    reader = PdfReader(io.BytesIO(pdf_path.read_bytes()))
    assert "NATO RESTRICTED" in reader.pages[0].extract_text()
    assert reader.metadata["/Subject"].startswith("Downloaded by")
