from collections.abc import Callable

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
            request.session.modified = True
        return response
