"""The cache-counted rate limit (core/ratelimit.py): a fixed window per user and scope, the
seconds to wait when over, a fresh count each window, and no limit at all when the cache is down."""

import logging
import time

import pytest

from core import ratelimit
from core.ratelimit import rate_limit_hit

DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


class FrozenClock:
    """Stands in for the `time` module in core.ratelimit: the window moves only when a test moves
    it. It starts `seconds_left` before the end of a window no earlier run used, because Redis
    keeps counters between runs (it is not flushed: it is also the broker) and test users' ids
    repeat from one run to the next."""

    def __init__(self, window_seconds: int, seconds_left: float = 3.0) -> None:
        self.window_seconds = window_seconds
        unused = time.time_ns() // 1000 % 10**9
        self.now = float((unused + 1) * window_seconds) - seconds_left

    def time(self) -> float:
        return self.now

    def next_window(self) -> None:
        """The same moment of the next window."""
        self.now += self.window_seconds


def freeze_rate_limit_clock(monkeypatch: pytest.MonkeyPatch, window_seconds: int, seconds_left: float = 3.0):
    clock = FrozenClock(window_seconds, seconds_left)
    monkeypatch.setattr(ratelimit, "time", clock)
    return clock


@pytest.fixture(params=["configured", "locmem"])
def cache_backend(request, settings):
    """The configured cache (Redis when REDIS_URL is set), and process memory."""
    if request.param == "locmem":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return request.param


def hit(user_id: int = 1, scope: str = "autosave") -> int | None:
    return rate_limit_hit(scope=scope, user_id=user_id, limit=3, window_seconds=60)


def test_within_the_limit_nothing_waits_then_the_rest_of_the_window(cache_backend, monkeypatch):
    freeze_rate_limit_clock(monkeypatch, 60, seconds_left=42.5)

    assert [hit(), hit(), hit()] == [None, None, None]
    assert [hit(), hit()] == [43, 43]  # whole seconds, rounded up: never retried too early


def test_a_new_window_counts_afresh(cache_backend, monkeypatch):
    clock = freeze_rate_limit_clock(monkeypatch, 60)
    for _ in range(4):
        hit()
    assert hit() is not None

    clock.next_window()

    assert [hit(), hit(), hit(), hit()] == [None, None, None, 3]


def test_users_and_scopes_are_counted_apart(cache_backend, monkeypatch):
    freeze_rate_limit_clock(monkeypatch, 60)
    for _ in range(4):
        hit(user_id=1)

    assert hit(user_id=1) is not None
    assert hit(user_id=2) is None
    assert hit(user_id=1, scope="presence") is None


def test_with_the_cache_down_every_request_goes_through(settings, monkeypatch, caplog):
    settings.CACHES = {"default": {"BACKEND": "core.cache.RedisCache", "LOCATION": DEAD_REDIS}}
    freeze_rate_limit_clock(monkeypatch, 60)

    with caplog.at_level(logging.WARNING, logger="core.ratelimit"):
        assert [hit() for _ in range(6)] == [None] * 6
    assert "let through" in caplog.text
