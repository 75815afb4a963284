from typing import TYPE_CHECKING, Any

from audit.models import AuditEvent

if TYPE_CHECKING:  # audit is below accounts: it refers to people by the model's string alone
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def audit_record(
    *,
    # An anonymous visitor (request.user) is recorded as no one, like None.
    user: "User | AnonymousUser | None",
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
