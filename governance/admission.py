"""A bounded waiting room in front of the expensive part of a request (chain read, proof check, send).

At most `max_in_flight` requests run it at once; at most `max_queue` more wait, each for at most
`max_wait_s`; anyone else is refused at once. A refusal is OverloadedError (HTTP 503 with Retry-After),
so a flood costs the server bounded threads and memory and honest clients learn when to come back,
instead of every request queueing without limit on the prover pool.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from .errors import UpstreamError


class OverloadedError(UpstreamError):
    """The server is at capacity; `retry_after` seconds is a fair wait (HTTP 503)."""

    code = "overloaded"
    status = 503

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Capacity:
    """How many run at once, how many may wait, and how long each may wait (seconds)."""

    max_in_flight: int = 4
    max_queue: int = 32
    max_wait_s: float = 10.0

    def __post_init__(self) -> None:
        if self.max_in_flight < 1 or self.max_queue < 0 or self.max_wait_s <= 0:
            raise ValueError("capacity needs max_in_flight >= 1, max_queue >= 0, max_wait_s > 0")


class AdmissionGate:
    """Admits callers under a Capacity; `admit()` is a context manager."""

    def __init__(self, capacity: Capacity | None = None) -> None:
        self.capacity = capacity or Capacity()
        self._slots = threading.BoundedSemaphore(self.capacity.max_in_flight)
        self._lock = threading.Lock()
        self._waiting = 0

    @property
    def waiting(self) -> int:
        """Callers waiting now."""
        return self._waiting

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Run the body once a slot is free; OverloadedError if the queue is full or the wait too long."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.capacity.max_queue:
                    raise OverloadedError(
                        "the server is at capacity; retry shortly", self.capacity.max_wait_s
                    )
                self._waiting += 1
            try:
                admitted = self._slots.acquire(timeout=self.capacity.max_wait_s)
            finally:
                with self._lock:
                    self._waiting -= 1
            if not admitted:
                raise OverloadedError(
                    f"no capacity within {self.capacity.max_wait_s:g} s; retry shortly",
                    self.capacity.max_wait_s,
                )
        try:
            yield
        finally:
            self._slots.release()
