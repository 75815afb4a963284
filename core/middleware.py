import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Requests a page makes on its own (heartbeats, progress polls): they must not keep an
# unattended session alive.
PASSIVE_VIEWS = {"responses:presence", "reports:status_json"}


class SessionActivityMiddleware:
    """Sessions expire after SESSION_COOKIE_AGE of inactivity: every request a person makes
    renews the session; the page's own background polling does not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        passive = match is not None and match.view_name in PASSIVE_VIEWS
        if not passive and getattr(request, "user", None) is not None and request.user.is_authenticated:
            _renew(request)
        return response


RENEWED_AT = "_renewed_at"


def _renew(request: HttpRequest) -> None:
    """Moves the session's expiry forward, writing the session row at most once a
    SESSION_RENEW_SECONDS (a deadline surge of autosaves must not also write a session row per
    save). Short sessions renew on every request: the interval is at most a tenth of their age."""
    interval = min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 10)
    now = int(time.time())
    if now - request.session.get(RENEWED_AT, 0) >= interval:
        request.session[RENEWED_AT] = now
