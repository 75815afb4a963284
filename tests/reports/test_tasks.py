import datetime as dt

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.utils import timezone

from config.celery import app as celery_app
from reports import services
from reports.models import Report, ReportFile
from reports.selectors import report_changed_countries
from reports.services import (
    report_build,
    report_rebuild,
    report_request,
    report_retry,
    reports_sweep,
)
from responses.services import response_return, response_save_draft, response_submit
from tests.responses.factories import MembershipFactory


def request(world, formats=("csv", "xlsx")):
    return report_request(
        user=world["analyst"],
        round=world["round"],
        country_codes=[],
        question_numbers=[],
        formats=list(formats),
    )


@pytest.mark.real_worker
@pytest.mark.django_db(transaction=True)
def test_a_requested_report_is_built_by_a_real_worker_through_redis(world):
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: no broker for a real worker (CI sets it)")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        report = request(world, formats=("csv", "pdf"))  # enqueued as the request commits
        deadline = timezone.now() + dt.timedelta(seconds=90)
        while timezone.now() < deadline:
            report.refresh_from_db()
            if report.status in (Report.Status.DONE, Report.Status.FAILED):
                break
    assert report.status == Report.Status.DONE, report.error
    assert set(ReportFile.objects.filter(report=report).values_list("format", flat=True)) == {"csv", "pdf"}
    assert report.attempts == 1


@pytest.mark.django_db
class TestFailureAndRetry:
    def test_a_failure_says_why_and_a_retry_builds_it(
        self, world, monkeypatch, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks():
            report = Report.objects.create(
                round=world["round"], requested_by=world["analyst"], formats=["csv", "xlsx"]
            )

        def broken(comparison, report):
            raise OSError("disk full")

        monkeypatch.setattr(services.FORMATS["xlsx"], "build", broken)
        failed = report_build(report_id=report.pk)
        assert failed.status == Report.Status.FAILED
        assert failed.error == "Building XLSX failed: disk full"

        monkeypatch.undo()
        with django_capture_on_commit_callbacks() as enqueued:
            retried = report_retry(report=failed, user=world["analyst"])
        assert retried.status == Report.Status.QUEUED and retried.error == ""
        assert len(enqueued) == 1  # handed to the broker once the retry commits

        report = report_build(report_id=report.pk)  # what the worker then runs
        assert report.status == Report.Status.DONE

    def test_building_twice_is_harmless(self, world):
        report = Report.objects.create(round=world["round"], requested_by=world["analyst"], formats=["csv"])
        report_build(report_id=report.pk)
        first = ReportFile.objects.get(report=report).built_at

        again = report_build(report_id=report.pk)

        assert again.status == Report.Status.DONE and again.attempts == 1
        assert ReportFile.objects.get(report=report).built_at == first

    def test_a_report_left_running_by_a_dead_worker_is_built_again_when_redelivered(self, world):
        report = Report.objects.create(
            round=world["round"], requested_by=world["analyst"], formats=["csv"], status="running", attempts=1
        )

        rebuilt = report_build(report_id=report.pk)

        assert rebuilt.status == Report.Status.DONE and rebuilt.attempts == 2

    def test_it_gives_up_after_three_attempts(self, world):
        report = Report.objects.create(
            round=world["round"], requested_by=world["analyst"], formats=["csv"], status="running", attempts=3
        )

        assert report_build(report_id=report.pk).status == Report.Status.FAILED
        report.refresh_from_db()
        assert "Gave up after 3 attempts" in report.error

    def test_the_sweep_fails_a_report_stuck_running(self, world):
        stuck = Report.objects.create(
            round=world["round"], requested_by=world["analyst"], formats=["csv"], status="running", attempts=1
        )
        Report.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - dt.timedelta(hours=1))
        fresh = Report.objects.create(
            round=world["round"],
            requested_by=world["analyst"],
            formats=["csv"],
            status="running",
            attempts=1,
            started_at=timezone.now(),
        )

        assert reports_sweep()["failed"] == 1
        stuck.refresh_from_db()
        fresh.refresh_from_db()
        assert stuck.status == Report.Status.FAILED and "stopped before it finished" in stuck.error
        assert fresh.status == Report.Status.RUNNING


@pytest.mark.django_db
def test_a_newer_submission_makes_a_report_stale_and_a_rebuild_includes_it(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        report = request(world)
    report = report_build(report_id=report.pk)  # as the worker would
    assert report.status == Report.Status.DONE
    assert report_changed_countries([report]) == {report.pk: []}

    poland = world["poland"]
    response_return(response=poland, user=world["coordinator"], comment="Check Q1", question_comments={})
    from responses.models import Country

    drafter = MembershipFactory(country=Country.objects.get(code="PL"), role="drafter").user
    approver = MembershipFactory(country=Country.objects.get(code="PL"), role="approver").user
    poland.refresh_from_db()
    response_save_draft(
        response=poland,
        user=drafter,
        answers={"q1_comments": "Revised"},
        base_version=poland.current_version.number,
    )
    assert report_changed_countries([report]) == {report.pk: []}, "a draft never makes a report stale"
    response_submit(response=poland, user=approver)

    assert report_changed_countries([report]) == {report.pk: ["Poland"]}
    with django_capture_on_commit_callbacks():
        rebuilt = report_rebuild(report=report, user=world["analyst"])
    rebuilt = report_build(report_id=rebuilt.pk)
    assert rebuilt.rebuild_of == report
    assert report_changed_countries([rebuilt]) == {rebuilt.pk: []}


@pytest.mark.django_db
def test_a_duplicate_delivery_leaves_a_running_build_alone(world):
    report = Report.objects.create(
        round=world["round"],
        requested_by=world["analyst"],
        formats=["csv"],
        status="running",
        attempts=1,
        started_at=timezone.now(),
    )

    again = report_build(report_id=report.pk)

    assert (again.status, again.attempts) == (Report.Status.RUNNING, 1)
    assert not ReportFile.objects.filter(report=report).exists()
