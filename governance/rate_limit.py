"""Per-key sliding-window rate limits (in memory, one process) with bounded memory.

Each key keeps at most `requests` timestamps, and the table at most `max_keys` keys: when it is full,
the least recently seen key is dropped. A flood of fresh keys (a botnet, rotating addresses) therefore
costs bounded memory; dropping a key can only hand its owner a fresh budget, which a rotating attacker
gets anyway from each new address, while an honest newcomer is never locked into a shared bucket with
the flood. The aggregate bound against many addresses is the per-action limit and the admission gate
(governance/admission.py), not this table.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .errors import RateLimitedError

DEFAULT_MAX_KEYS = 10_000


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` per `window_s` seconds per key; at most `max_keys` keys tracked."""

    requests: int = 10
    window_s: float = 60.0
    max_keys: int = DEFAULT_MAX_KEYS

    def __post_init__(self) -> None:
        if self.requests < 1 or self.window_s <= 0 or self.max_keys < 1:
            raise ValueError("a rate limit needs requests >= 1, window_s > 0 and max_keys >= 1")

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """`"REQUESTS/SECONDS"` (as in settings: `verify_rate = "60/60"`); ValueError otherwise."""
        requests, _, seconds = str(text).partition("/")
        return cls(int(requests), float(seconds or 60))


class RateLimiter:
    """Counts requests per key in a sliding window; `clock` is injectable for tests."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._hits: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Keys tracked now (at most limit.max_keys)."""
        return len(self._hits)

    def hit(self, key: str) -> None:
        """Count one request from `key`; raise RateLimitedError when it is over the limit."""
        now = self._clock()
        horizon = now - self.limit.window_s
        with self._lock:
            hits = self._hits.get(key)
            if hits is None:
                while len(self._hits) >= self.limit.max_keys:
                    self._hits.popitem(last=False)  # least recently seen
                hits = self._hits[key] = collections.deque(maxlen=self.limit.requests)
            self._hits.move_to_end(key)
            while hits and hits[0] <= horizon:
                hits.popleft()
            if len(hits) >= self.limit.requests:
                retry = hits[0] + self.limit.window_s - now
                raise RateLimitedError(
                    f"over {self.limit.requests} requests per {self.limit.window_s:g} s; "
                    f"retry in {retry:.0f} s",
                    retry,
                )
            hits.append(now)
