"""A per-client sliding-window rate limit for the relayer (in memory, one process)."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import RateLimitedError


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per `window_s` seconds per client."""

    requests: int = 10
    window_s: float = 60.0

    def __post_init__(self) -> None:
        if self.requests < 1 or self.window_s <= 0:
            raise ValueError("a rate limit needs requests >= 1 and window_s > 0")


class RateLimiter:
    """Counts requests per key in a sliding window; `clock` is injectable for tests."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._hits: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        """Count one request from `key`; raise RateLimitedError when it is over the limit."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, collections.deque())
            while hits and hits[0] <= now - self.limit.window_s:
                hits.popleft()
            if len(hits) >= self.limit.requests:
                retry = hits[0] + self.limit.window_s - now
                raise RateLimitedError(
                    f"over {self.limit.requests} requests per {self.limit.window_s:g} s; "
                    f"retry in {retry:.0f} s",
                    retry,
                )
            hits.append(now)
