"""Liveness and readiness, for container healthchecks and load balancers.

Answered before any other middleware: a probe from inside the container (http://127.0.0.1) must
get its answer under the production settings too, where every other request is redirected to
https and its Host header is checked against ALLOWED_HOSTS. The answers carry no detail (which
component is down is logged, never shown): they are reachable by anyone who reaches the port.

- GET /healthz: the process answers (200 "ok").
- GET /readyz: the database and the cache/broker (Redis) answer too (200 "ready", else 503).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from core.cache import redis_for

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        logger.warning("readiness: the database does not answer", exc_info=True)
        return False


def broker_ready() -> bool:
    """Redis (cache, broker, rate limits, presence); none configured: nothing to wait for."""
    url = settings.REDIS_URL
    if not url:
        return True
    try:
        return bool(redis_for(url, timeout=2).ping())
    except Exception:
        logger.warning("readiness: Redis does not answer", exc_info=True)
        return False


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
        if request.path == LIVENESS_PATH:
            return _plain("ok", 200)
        ready = database_ready() and broker_ready()
        return _plain("ready" if ready else "unavailable", 200 if ready else 503)


def _plain(text: str, status: int) -> HttpResponse:
    answer = HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    answer["Cache-Control"] = "no-store"
    return answer
