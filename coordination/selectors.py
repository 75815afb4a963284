from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent

# What a country's own staff do inside their response (saves, restores, reading their drafts and
# history) is draft activity: the coordinators' log shows it at most as the status page does
# (status and last save time), never one row a save, a version id or a view of a draft.
DRAFT_ACTIVITY = (
    AuditEvent.Action.RESPONSE_SAVE,
    AuditEvent.Action.RESPONSE_RESTORE,
)
READING = (
    AuditEvent.Action.RESPONSE_VIEW,
    AuditEvent.Action.RESPONSE_HISTORY,
    AuditEvent.Action.RESPONSE_DIFF,
)


def audit_events_matching(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Audit events by user, country, action and date, as coordinators may see them (without
    draft activity); every filter is a bound ORM parameter."""
    events = (
        AuditEvent.objects.select_related("user", "response")
        .exclude(action__in=DRAFT_ACTIVITY)
        # Country staff reading their own response; analysts' and coordinators' reading of
        # submitted versions stays.
        .exclude(Q(action__in=READING) & (Q(user__global_role="") | Q(user__isnull=True)))
        .order_by("-at", "-pk")
    )
    if filters.get("user"):
        events = events.filter(user__username__icontains=filters["user"])
    if filters.get("country"):
        code = filters["country"].upper()
        # Response events name the country through the response; account events in their detail.
        events = events.filter(
            Q(response__author_links__country__code=code) | Q(detail__country=code)
        ).distinct()
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("date_from"):
        events = events.filter(at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        events = events.filter(at__date__lte=filters["date_to"])
    return events
