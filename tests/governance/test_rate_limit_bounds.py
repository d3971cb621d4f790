"""Why the API keeps its own rate limiter (README "Rate limits: why not Flask-Limiter"): what it holds is
bounded by its configuration, whatever the traffic, while limits' MemoryStorage (Flask-Limiter's) keeps
every key seen in the current window (bench/rate_limit_flood.py measures both)."""

from __future__ import annotations

import contextlib

import pytest

from governance import RateLimit, RateLimitedError, RateLimiter


def _held(limiter: RateLimiter) -> tuple[int, int]:
    """(keys, timestamps) the limiter holds now."""
    hits = limiter._hits  # the property under test is exactly this table's size
    return len(hits), sum(len(q) for q in hits.values())


def test_what_the_limiter_holds_is_bounded_by_its_configuration() -> None:
    now = [0.0]
    limit = RateLimit(requests=5, window_s=60, max_keys=50)
    limiter = RateLimiter(limit, clock=lambda: now[0])
    for i in range(5_000):  # rotating addresses, each under its budget, all within one window
        limiter.hit(f"fresh-{i}")
        now[0] += 0.001
    for key in (f"heavy-{i}" for i in range(50)):  # then 50 clients each hammering past their budget
        for _ in range(100):
            with contextlib.suppress(RateLimitedError):
                limiter.hit(key)
    keys, timestamps = _held(limiter)
    assert keys == limit.max_keys and timestamps <= limit.max_keys * limit.requests


def test_a_dropped_key_loses_nothing_a_rotating_client_could_not_get_anyway() -> None:
    """The table forgets the least recently seen key; a client seen recently keeps its count."""
    now = [0.0]
    limiter = RateLimiter(RateLimit(requests=2, window_s=60, max_keys=3), clock=lambda: now[0])
    limiter.hit("a")
    limiter.hit("a")
    for key in ("b", "c"):
        limiter.hit(key)
    limiter.hit("b")  # seen order now: a, c, b
    with pytest.raises(RateLimitedError):
        limiter.hit("a")  # a is still tracked, over its budget (and now the most recently seen: c, b, a)
    limiter.hit("d")  # the table is full: the least recently seen key (c) goes, not a
    with pytest.raises(RateLimitedError):
        limiter.hit("a")
    now[0] += 60.001
    limiter.hit("a")  # the window slid: a may ask again
