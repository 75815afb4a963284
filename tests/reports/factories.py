"""A built report's file as a person downloads it (stamped with who and when)."""

from django.utils import timezone

from reports.models import Report, ReportFile
from reports.services import report_file_stamped


def downloaded(report: Report, fmt: str, user) -> bytes:
    report_file = ReportFile.objects.get(report=report, format=fmt)
    return report_file_stamped(report_file=report_file, user=user, at=timezone.now())
