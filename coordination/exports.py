"""Downloads of the coordinator's pages, written the way every spreadsheet file is
(core/spreadsheets.py: each text cell neutralised against formula injection)."""

from collections.abc import Iterable
from typing import Any

from audit.models import AuditEvent
from core.spreadsheets import SafeCsvWriter

AUDIT_LOG_COLUMNS = ["when", "user", "action", "response", "version", "detail"]


def audit_log_csv_write(out: Any, events: Iterable[AuditEvent]) -> None:
    """The audit log as CSV into ``out`` (anything with write()), with a BOM so that Excel reads
    UTF-8, one row an event."""
    out.write("\ufeff")
    writer = SafeCsvWriter(out)
    writer.writerow(AUDIT_LOG_COLUMNS)
    for event in events:
        writer.writerow(
            [
                event.at.isoformat(),
                event.user.username if event.user else "",
                event.action,
                event.response_id or "",
                event.version_id or "",
                str(event.detail),
            ]
        )
