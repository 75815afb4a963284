"""For the cache-counted rate limit (core/ratelimit.py): a clock that moves only when told, and
a Redis address where nothing answers."""

import time

import pytest

from core import ratelimit


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


DEAD_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
