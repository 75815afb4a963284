"""Requesting, building and serving reports."""

import logging
from datetime import datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from accounts.models import User
from audit.models import AuditEvent
from questionnaire.models import Round
from reports.exporters import FORMATS
from reports.models import Report, ReportFile, ReportSource, SeenVersion
from reports.selectors import Comparison, comparison_build, submitted_responses
from responses import permissions
from responses.models import ResponseVersion

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def _abandoned_before() -> datetime:
    """A report still running after this moment has outlived the task time limit: its worker is
    gone."""
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def report_request(
    *,
    user: User,
    round: Round,
    country_codes: list[str],
    question_numbers: list[int],
    formats: list[str],
    language: str | None = None,
    rebuild_of: Report | None = None,
    same_versions_as: Report | None = None,
) -> Report:
    """Queues a report; `language` is the one its headings and summaries are written in (the
    requester's by default)."""
    if not permissions.is_cross_country_reader(user):
        raise PermissionDenied(_("Only analysts and coordinators request reports."))
    formats = [f for f in Report.Format.values if f in formats]
    if not formats:
        raise ValidationError({"formats": [_("Choose at least one format.")]})
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("This language is not offered.")]})
    window = timezone.now() - timedelta(minutes=settings.REPORT_REQUESTS_WINDOW_MINUTES)
    recent = Report.objects.filter(requested_by=user, requested_at__gte=window)
    if recent.count() >= settings.REPORT_REQUESTS_PER_WINDOW:
        raise ValidationError(
            _("You have requested %(n)s reports in %(minutes)s minutes; please wait before the next.")
            % {"n": settings.REPORT_REQUESTS_PER_WINDOW, "minutes": settings.REPORT_REQUESTS_WINDOW_MINUTES}
        )
    report = Report.objects.create(
        round=round,
        requested_by=user,
        country_codes=sorted(country_codes),
        question_numbers=sorted(question_numbers),
        formats=formats,
        language=language,
        rebuild_of=rebuild_of,
        same_versions_as=same_versions_as,
    )
    transaction.on_commit(lambda: report_enqueue(report=report))
    return report


def report_enqueue(*, report: Report) -> None:
    """Hands the build to a worker. If the broker is down the report stays queued and says so;
    the periodic sweep enqueues it again."""
    from reports.tasks import build_report  # tasks import this module

    try:
        build_report.delay(report.pk)
    except BrokerUnavailable:
        logger.warning("broker unavailable: report %s stays queued", report.pk, exc_info=True)
        Report.objects.filter(pk=report.pk, status=Report.Status.QUEUED).update(
            step=_("The report service is unavailable; the report will be built as soon as it is back.")
        )


def report_build(*, report_id: int) -> Report:
    """Builds every requested format from the current submitted versions in scope.

    Idempotent and safe to run again: only a queued report is claimed (or one left running by a
    worker that died, past the task time limit), an attempt only ever finishes its own run, and
    after MAX_ATTEMPTS the report fails with the reason.
    """
    abandoned_before = _abandoned_before()
    with transaction.atomic():
        report = Report.objects.select_for_update().select_related("round").get(pk=report_id)
        # Claim it: a queued report, or one whose worker died (running past the time limit). A
        # duplicate delivery while another worker builds it leaves it alone.
        abandoned = report.status == Report.Status.RUNNING and (
            report.started_at is None or report.started_at < abandoned_before
        )
        if report.status != Report.Status.QUEUED and not abandoned:
            return report
        if report.attempts >= MAX_ATTEMPTS:
            report.status = Report.Status.FAILED
            report.error = _("Gave up after %(n)s attempts: the worker building it stopped each time.") % {
                "n": report.attempts
            }
            report.finished_at = timezone.now()
            report.save(update_fields=["status", "error", "finished_at"])
            return report
        report.status = Report.Status.RUNNING
        report.attempts += 1
        report.started_at = timezone.now()
        report.error = ""
        report.step = _("Collecting the submitted versions")
        report.save(update_fields=["status", "attempts", "started_at", "error", "step"])
        # Files of an earlier attempt never mix with this one's snapshot.
        ReportFile.objects.filter(report=report).delete()
    attempt = report.attempts
    mine = Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, attempts=attempt)

    current_format = ""
    try:
        # Everything the files say is written in the report's language, whoever's worker builds it.
        with translation.override(report.language), transaction.atomic():
            comparison = _snapshot(report)
        for current_format in report.formats:
            mine.update(step=_("Building the %(format)s file") % {"format": current_format.upper()})
            with translation.override(report.language):
                content = FORMATS[current_format].build(comparison, report)
            ReportFile.objects.update_or_create(
                report=report, format=current_format, defaults={"content": content, "size": len(content)}
            )
    except Exception as exc:
        logger.exception("report %s failed", report.pk)
        what = current_format.upper() or _("the comparison")
        mine.update(
            status=Report.Status.FAILED,
            error=_("Building %(what)s failed: %(reason)s") % {"what": what, "reason": exc},
            finished_at=timezone.now(),
        )
        report.refresh_from_db()
        return report
    mine.update(status=Report.Status.DONE, step="", finished_at=timezone.now())
    report.refresh_from_db()
    return report


def _snapshot(report: Report) -> Comparison:
    """Records exactly which submitted versions the report uses, and compares them: the current
    submissions in scope, or those another report used (the same snapshot in another language)."""
    if report.same_versions_as_id is not None:
        sources = ReportSource.objects.filter(report_id=report.same_versions_as_id).select_related("version")
        by_response = {s.response_id: s.version for s in sources}
        responses = [r for r in submitted_responses(report.round) if r.pk in by_response]
        pairs = [(r, by_response[r.pk]) for r in responses]
    else:
        responses = list(submitted_responses(report.round))
        if report.country_codes:
            wanted = set(report.country_codes)
            responses = [r for r in responses if wanted & {c.code for c in r.authors.all()}]
        # Submitted responses, each with its submitted version.
        pairs = [(r, cast(ResponseVersion, r.submitted_version)) for r in responses]
    ReportSource.objects.filter(report=report).delete()
    ReportSource.objects.bulk_create(
        ReportSource(report=report, response=r, version_id=version.pk) for r, version in pairs
    )
    return comparison_build(
        round=report.round,
        versions=pairs,
        question_numbers=report.question_numbers or None,
        asked_for=report.country_codes or None,
    )


def report_retry(*, report: Report, user: User) -> Report:
    if not permissions.is_cross_country_reader(user):
        raise PermissionDenied
    if report.status != Report.Status.FAILED:
        raise ValidationError(_("Only a failed report can be retried."))
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.QUEUED, error="", step="", attempts=0, finished_at=None
    )
    report.refresh_from_db()
    transaction.on_commit(lambda: report_enqueue(report=report))
    return report


def _requested_again(*, report: Report, user: User, **changes: Any) -> Report:
    """A new report with `report`'s scope (and language, unless `changes` says otherwise)."""
    return report_request(
        user=user,
        round=report.round,
        country_codes=report.country_codes,
        question_numbers=report.question_numbers,
        formats=report.formats,
        rebuild_of=report,
        **{"language": report.language, **changes},
    )


def report_rebuild(*, report: Report, user: User) -> Report:
    """A new report with the same scope and language, built from the submissions as they are now."""
    return _requested_again(report=report, user=user)


def report_in_language(*, report: Report, user: User, language: str) -> Report:
    """The same snapshot (exactly the versions `report` used) built again in another language."""
    if report.status != Report.Status.DONE:
        raise ValidationError(_("Only a built report can be built again in another language."))
    return _requested_again(report=report, user=user, language=language, same_versions_as=report)


def reports_sweep() -> dict[str, int]:
    """Run by beat: fails reports stuck 'running' past the task time limit (their worker is
    gone) and enqueues reports still queued after the broker came back."""
    stuck = Report.objects.filter(status=Report.Status.RUNNING, started_at__lt=_abandoned_before())
    failed = stuck.update(
        status=Report.Status.FAILED,
        error=_("The worker building this report stopped before it finished. Retry it."),
        finished_at=timezone.now(),
    )
    waiting = Report.objects.filter(
        status=Report.Status.QUEUED, requested_at__lt=timezone.now() - timedelta(minutes=2)
    )
    for report in waiting:
        report_enqueue(report=report)
    return {"failed": failed, "requeued": len(waiting)}


def downloads_exhausted(*, user: User) -> bool:
    """Downloads are the costliest reads (and the likeliest exfiltration): a cap per user and
    window, counted from the audit log so that it holds across web processes without Redis."""
    window = timezone.now() - timedelta(minutes=settings.DOWNLOADS_WINDOW_MINUTES)
    recent = AuditEvent.objects.filter(user=user, action=AuditEvent.Action.REPORT_DOWNLOAD, at__gte=window)
    return recent.count() >= settings.DOWNLOADS_PER_WINDOW


def report_file_stamped(*, report_file: ReportFile, user: User, at: datetime) -> bytes:
    """The file as downloaded: stamped with who downloaded it and when, inside its content."""
    who = user.get_full_name() or user.get_username()
    with translation.override(report_file.report.language):
        stamp = _("Downloaded by %(who)s on %(when)s") % {
            "who": who,
            "when": timezone.localtime(at).strftime("%Y-%m-%d %H:%M %Z"),
        }
    return FORMATS[report_file.format].stamped(bytes(report_file.content), stamp=stamp, who=who)


def seen_versions_record(*, user: User, comparison: Comparison) -> None:
    """Remembers which submitted versions an analyst has now seen."""
    now = timezone.now()
    SeenVersion.objects.bulk_create(
        [
            SeenVersion(user=user, response=c.response, version=c.version, seen_at=now)
            for c in comparison.columns
        ],
        update_conflicts=True,
        unique_fields=["user", "response"],
        update_fields=["version", "seen_at"],
    )
