"""A Celery worker killed in the middle of a report: the report does not stay "running" for
ever. The sweep fails it with the reason once its time limit has passed, and a retry builds it
on another worker."""

import datetime as dt
import signal
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from coordination.demo import demo_seed
from reports.models import Report
from reports.services import report_request, report_retry, reports_sweep
from tests.accounts.factories import AnalystFactory
from tests.processes import start_worker_process

ROOT = Path(__file__).resolve().parents[2]


def wait_for(report: Report, statuses: set[str], seconds: float) -> Report:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.status in statuses:
            return report
        time.sleep(0.05)
    raise AssertionError(f"report stayed {report.status}")


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_is_failed_by_the_sweep_and_retried(us_round):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("needs Redis and PostgreSQL shared with a worker process (CI has both)")
    demo_seed(round=us_round, country_count=30, password="unused")
    analyst = AnalystFactory()

    worker = start_worker_process()
    try:
        report = report_request(
            user=analyst, round=us_round, country_codes=[], question_numbers=[], formats=["pdf"]
        )
        report = wait_for(report, {Report.Status.RUNNING}, 60)
        worker.send_signal(signal.SIGKILL)  # mid-build: the PDF takes seconds
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()

    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING  # what a dead worker leaves behind
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
    assert reports_sweep()["failed"] == 1
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "stopped before it finished" in report.error

    second = start_worker_process()
    try:
        report_retry(report=report, user=analyst)
        report = wait_for(report, {Report.Status.DONE, Report.Status.FAILED}, 120)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert report.status == Report.Status.DONE, report.error
