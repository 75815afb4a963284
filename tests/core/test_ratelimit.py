"""The cache-counted rate limit (core/ratelimit.py): a fixed window per user and scope, the
seconds to wait when over, a fresh count each window, and no limit at all when the cache is down."""

import logging

import pytest

from core.ratelimit import rate_limit_hit
from tests.core.helpers import DEAD_REDIS, freeze_rate_limit_clock


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


def test_on_redis_a_count_is_one_round_trip(settings, monkeypatch):
    """SET NX and INCRBY in one pipeline, not Django's add + incr (SET NX, EXISTS, INCRBY in three
    round trips): the autosave's path counts here on every request. Asked, as every caller does,
    through django.core.cache.cache, a proxy whose class is not the backend's."""
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: the count is Redis's (CI sets it)")
    import redis

    sent: list[tuple[str, ...]] = []
    real_execute = redis.client.Pipeline.execute

    def recording_execute(pipeline, *args, **kwargs):
        sent.append(tuple(command[0][0] for command in pipeline.command_stack))
        return real_execute(pipeline, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", recording_execute)
    freeze_rate_limit_clock(monkeypatch, window_seconds=60)

    assert hit(user_id=424242) is None
    assert hit(user_id=424242) is None

    assert sent == [("SET", "INCRBY"), ("SET", "INCRBY")]
