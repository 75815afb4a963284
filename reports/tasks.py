"""Celery entry points for reports: thin, by id, idempotent (see reports.services)."""

from celery import shared_task

from reports.services import report_build, reports_sweep


@shared_task(name="reports.build_report", acks_late=True, reject_on_worker_lost=True)
def build_report(report_id: int) -> str:
    return report_build(report_id=report_id).status


@shared_task(name="reports.sweep")
def sweep_reports() -> dict[str, int]:
    return reports_sweep()
