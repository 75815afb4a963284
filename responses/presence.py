"""Who of a country has a response open right now. Kept in the cache (Redis in the full stack)
for PRESENCE_SECONDS after the page's last heartbeat (the page beats every 15 s and says when it
is left); losing it costs nothing but the hint.

A heartbeat costs no SQL: the first one of a signed-in session checks who the person is and
that they may see the response's drafts (the database), and leaves a grant in the cache for that
session and response; the heartbeats after it read only the cache. The grant
lasts GRANT_SECONDS, so a deactivated account or a removed role stops seeing colleagues within
that time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.http import HttpRequest

from responses.models import Response

if TYPE_CHECKING:  # accounts is above responses (DESIGN.md section 6): type hints only
    from accounts.models import User

logger = logging.getLogger(__name__)
# A person who closed the page without a word (a crash, a lost connection) is dropped this long
# after their last heartbeat; one who left it normally, at once (presence_leave).
PRESENCE_SECONDS = 20


GRANT_SECONDS = 60


def _key(response_id: int) -> str:
    return f"presence:response:{response_id}"


def _grant_key(session_key: str, response_id: int) -> str:
    return f"presence:grant:{session_key}:{response_id}"


@dataclass(frozen=True)
class PresenceGrant:
    user_id: int
    username: str
    name: str


class HeartbeatHttpRequest(HttpRequest):
    """The heartbeat's request, for annotations: accounts.middleware.TwoFactorRequiredMiddleware
    looks the session's grant up and attaches it (None when the session holds none)."""

    presence_grant: PresenceGrant | None


def presence_grant_of(*, session_key: str | None, response_id: int) -> PresenceGrant | None:
    """The grant a session holds for a response, if any (read from the cache only)."""
    if not session_key:
        return None
    try:
        held = cache.get(_grant_key(session_key, response_id))
    except Exception:
        return None
    return PresenceGrant(**held) if held else None


def presence_grant_issue(*, session_key: str, response: Response, user: User) -> PresenceGrant:
    """Called once the permission module said the user sees the response's drafts."""
    grant = PresenceGrant(
        user_id=user.pk, username=user.get_username(), name=user.get_full_name() or user.get_username()
    )
    try:
        cache.set(_grant_key(session_key, response.pk), asdict(grant), GRANT_SECONDS)
    except Exception:
        logger.warning("presence grant not kept for response %s", response.pk, exc_info=True)
    return grant


def presence_touch(*, response_id: int, grant: PresenceGrant, question: int | None) -> list[dict[str, Any]]:
    """Records that the grant's holder has the response open; returns the others who have it
    open."""
    now = time.time()
    try:
        entries: dict[str, dict[str, Any]] = cache.get(_key(response_id)) or {}
        entries = {k: v for k, v in entries.items() if now - v["at"] < PRESENCE_SECONDS}
        entries[str(grant.user_id)] = {
            "username": grant.username,
            "name": grant.name,
            "question": question,
            "at": now,
        }
        cache.set(_key(response_id), entries, PRESENCE_SECONDS * 2)
    except Exception:  # The cache being down must never stop anyone from working.
        logger.warning("presence unavailable for response %s", response_id, exc_info=True)
        return []
    return [v for k, v in sorted(entries.items()) if k != str(grant.user_id)]


def presence_leave(*, response_id: int, grant: PresenceGrant) -> None:
    """The grant's holder left the page: drops them now rather than when their entry runs out."""
    try:
        entries: dict[str, dict[str, Any]] = cache.get(_key(response_id)) or {}
        if entries.pop(str(grant.user_id), None) is not None:
            cache.set(_key(response_id), entries, PRESENCE_SECONDS * 2)
    except Exception:
        logger.warning("presence unavailable for response %s", response_id, exc_info=True)
