from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def audit_events_matching(filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """Audit events by user, country, action and date; every filter is a bound ORM parameter."""
    events = AuditEvent.objects.select_related("user", "response").order_by("-at", "-pk")
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
