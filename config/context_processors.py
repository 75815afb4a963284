from typing import Any

from django.conf import settings
from django.http import HttpRequest

from config.navigation import navigation_for
from questionnaire.selectors import round_current
from responses.permissions import is_cross_country_reader


def site_chrome(request: HttpRequest) -> dict[str, Any]:
    """What every page frames its content with: the handling marking, the demo notice and the
    navigation of the user's role. The round is looked up lazily, once per request."""
    cache: dict[str, Any] = {}

    def current_round() -> Any:
        if "round" not in cache:
            cache["round"] = round_current()
        return cache["round"]

    def marking() -> str:
        current = current_round()
        return current.handling_marking if current else ""

    return {
        "current_round": current_round,
        "handling_marking": marking,
        "demo_notice": settings.DEMO_NOTICE,
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
        "navigation": navigation_for(request.user) if hasattr(request, "user") else [],
        # Templates ask the permission module too, never the user's role (asked when used).
        "reads_every_country": lambda: hasattr(request, "user") and is_cross_country_reader(request.user),
    }
