"""Sessions read from the cache and kept in the database.

Every request reads its session; with plain database sessions that was one query per autosave
in the deadline surge. Django's cached_db store reads the cache first and falls back to the
database, but raises when the cache is down on a write or a delete (signing out with Redis down
would fail). This store treats the cache as a hint: any cache error is logged and the database
answers, so sessions work as before without Redis.
"""

import logging
from typing import Any

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger(__name__)


class _CacheAsHint:
    """The session cache, with every failure taken as a miss."""

    def __init__(self, cache: Any):
        self._cache = cache

    def get(self, key: str, default: Any = None) -> Any:
        try:
            return self._cache.get(key, default)
        except Exception:
            logger.warning("session cache unavailable: reading the session from the database", exc_info=True)
            return default

    def set(self, key: str, value: Any, timeout: Any = None) -> None:
        try:
            self._cache.set(key, value, timeout)
        except Exception:
            logger.warning("session cache unavailable: session kept in the database only", exc_info=True)

    def delete(self, key: str) -> None:
        try:
            self._cache.delete(key)
        except Exception:
            logger.warning("session cache unavailable: cached session not deleted", exc_info=True)

    def __contains__(self, key: str) -> bool:
        try:
            return key in self._cache
        except Exception:
            return False


class SessionStore(CachedDBStore):
    # Django's cached_db store sets it to the session cache; the stubs do not declare it.
    _cache: Any

    def __init__(self, session_key: str | None = None):
        super().__init__(session_key)
        self._cache = _CacheAsHint(self._cache)
