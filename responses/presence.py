"""Who of a country has a response open right now. Kept in the cache (Redis in the full stack)
for a minute after the page's last heartbeat; losing it costs nothing but the hint."""

import logging
import time
from typing import Any

from django.core.cache import cache

from accounts.models import User
from responses.models import Response

logger = logging.getLogger(__name__)
PRESENCE_SECONDS = 60


def _key(response: Response) -> str:
    return f"presence:response:{response.pk}"


def presence_touch(*, response: Response, user: User, question: int | None) -> list[dict[str, Any]]:
    """Records that `user` has the response open; returns the others who have it open."""
    now = time.time()
    try:
        entries: dict[str, dict[str, Any]] = cache.get(_key(response)) or {}
        entries = {k: v for k, v in entries.items() if now - v["at"] < PRESENCE_SECONDS}
        entries[str(user.pk)] = {
            "username": user.get_username(),
            "name": user.get_full_name() or user.get_username(),
            "question": question,
            "at": now,
        }
        cache.set(_key(response), entries, PRESENCE_SECONDS * 2)
    except Exception:  # The cache being down must never stop anyone from working.
        logger.warning("presence unavailable for response %s", response.pk, exc_info=True)
        return []
    return [v for k, v in sorted(entries.items()) if k != str(user.pk)]
