"""Rate limits for endpoints called too often to count in the database (autosave fires every few
seconds while staff type). Counted in the cache, per user and fixed window: Redis in the full
stack, so the limit holds across web processes; in process memory without REDIS_URL, where each
process counts on its own.

A limit protects the service, it is not a rule about the data: if the cache is down it lets every
request through rather than refuse a save. The costly, rarer endpoints (report requests,
downloads) are counted in the database instead, see reports/services.py.
"""

import logging
import math
import time

from django.core.cache import cache

from core.cache import count_in_window

logger = logging.getLogger(__name__)


def rate_limit_hit(*, scope: str, user_id: int, limit: int, window_seconds: int) -> int | None:
    """Counts one request of `user_id` to `scope`. Returns None while the user is within `limit`
    requests in the current window, else the whole seconds until the window ends (the
    Retry-After a client should wait)."""
    now = time.time()
    window = int(now // window_seconds)
    # The window's number is in the key, so each window counts from nothing with no reset; an
    # old window's count is never read again and expires on its own.
    key = f"ratelimit:{scope}:{user_id}:{window}"
    try:
        # Atomic in Redis: concurrent requests each get their own count.
        count = count_in_window(cache, key, timeout=window_seconds + 1)
    except ValueError:
        # The count was evicted between add and incr (a full cache): let this one through.
        return None
    except Exception:  # The cache being down must never stop anyone from saving.
        logger.warning(
            "rate limit %s unavailable: request of user %s let through", scope, user_id, exc_info=True
        )
        return None
    if count <= limit:
        return None
    if count == limit + 1:  # once per window, not once per refused request
        logger.info("rate limit %s reached by user %s (%s in %ss)", scope, user_id, limit, window_seconds)
    return max(1, math.ceil((window + 1) * window_seconds - now))
