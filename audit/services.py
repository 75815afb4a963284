from typing import Any

from accounts.models import User
from audit.models import AuditEvent


def audit_record(
    *,
    user: User | None,
    action: str,
    response: Any = None,
    version: Any = None,
    **detail: Any,
) -> AuditEvent:
    return AuditEvent.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        response=response,
        version=version,
        detail=detail,
    )
