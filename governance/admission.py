"""A bounded waiting room in front of the expensive part of a request (chain read, proof check, send).

At most `max_in_flight` requests run it at once; at most `max_queue` more wait, each for at most
`max_wait_s`; anyone else is refused at once. A refusal is OverloadedError (HTTP 503 with Retry-After),
so a flood costs the server bounded threads and memory and honest clients learn when to come back,
instead of every request queueing without limit on the prover pool.
"""

from __future__ import annotations

import threading
from collections import deque
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
    """Admits callers under a Capacity, first come first served; `admit()` is a context manager.

    Waiters are served in arrival order and a freed slot is handed to the longest waiter directly: a
    newcomer never takes it first. (A semaphore lets newcomers barge past the woken waiter, which starves
    some waiters and made the tail of /v1/verify's latency several times its median.)
    """

    def __init__(self, capacity: Capacity | None = None) -> None:
        self.capacity = capacity or Capacity()
        self._lock = threading.Lock()
        self._free = self.capacity.max_in_flight
        self._queue: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """Callers waiting now."""
        return len(self._queue)

    def _acquire(self) -> None:
        with self._lock:
            if self._free > 0 and not self._queue:
                self._free -= 1
                return
            if len(self._queue) >= self.capacity.max_queue:
                raise OverloadedError("the server is at capacity; retry shortly", self.capacity.max_wait_s)
            turn = threading.Event()
            self._queue.append(turn)
        if turn.wait(self.capacity.max_wait_s):
            return
        with self._lock:
            if turn.is_set():
                return  # the slot was handed over just as the wait ended: it is ours
            self._queue.remove(turn)
        raise OverloadedError(
            f"no capacity within {self.capacity.max_wait_s:g} s; retry shortly", self.capacity.max_wait_s
        )

    def _release(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # the slot passes to the longest waiter, never back to the pool
            else:
                self._free += 1

    @contextmanager
    def admit(self) -> Iterator[None]:
        """Run the body once a slot is free; OverloadedError if the queue is full or the wait too long."""
        self._acquire()
        try:
            yield
        finally:
            self._release()
