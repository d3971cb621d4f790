"""The registry's `checkRoot` answers, cached per block.

A root's status (current, recent, expired, unknown) can only change when a block is mined, so within
one block every request for the same root gets the first answer, and a flood of proofs for one root
costs one `eth_call` per block instead of one per request. The block number itself comes from
`block_number()` (eth_blockNumber, the cheapest read a node serves), asked at most every `poll_s`
seconds: 0 asks on every request (no staleness at all); a positive value trades up to `poll_s` of
staleness for even fewer reads. Revert answers (UnknownRoot, RootExpired) are cached like depths; chain
failures are not. At most `max_entries` roots are kept (least recently used dropped first).

Reads are single-flight, so that a burst of requests does not become a burst of RPC calls (a stampede
every `poll_s` was the tail of /v1/verify's latency, bench/services.py): while one thread re-reads a
stale block number the others go on with the last one (at most `poll_s` + one round trip old), and the
requests that miss the same root in the same block wait for the one `checkRoot` call in flight instead
of each making their own (a waiter whose leader failed asks the chain itself).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from contracts import ContractRevertError

from .proof_check import RootSource

DEFAULT_MAX_ENTRIES = 4096
IN_FLIGHT_WAIT_S = 30.0  # a waiter gives up on the leader's checkRoot after this long (RPC timeout)


class CachedRoots:
    """A RootSource that answers `check_root` from a per-block cache in front of `registry`."""

    def __init__(
        self,
        registry: RootSource,
        block_number: Callable[[], int],
        *,
        poll_s: float = 0.0,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._registry, self._block_number, self._poll_s = registry, block_number, poll_s
        self._max, self._clock = max_entries, clock
        self._entries: OrderedDict[int, tuple[int, int | ContractRevertError]] = OrderedDict()
        self._block: tuple[float, int] | None = None
        self._lock = threading.Lock()
        self._block_refreshing = False
        self._in_flight: dict[tuple[int, int], threading.Event] = {}
        self.calls = 0  # checkRoot calls that reached the registry (for tests and metrics)

    def _current_block(self) -> int:
        now = self._clock()
        with self._lock:
            known = self._block
            if known is not None and self._poll_s > 0:
                if now - known[0] < self._poll_s or self._block_refreshing:
                    return known[1]  # fresh, or being re-read by another thread right now
                self._block_refreshing = True
        try:
            block = int(self._block_number())
        finally:
            with self._lock:
                self._block_refreshing = False
        with self._lock:
            if self._block is None or now >= self._block[0]:
                self._block = (now, block)
        return block

    def _cached(self, root: int, block: int) -> int | ContractRevertError | None:
        """The cached answer for `root` at `block`, or None; call with the lock held."""
        entry = self._entries.get(root)
        if entry is None or entry[0] != block:
            return None
        self._entries.move_to_end(root)
        return entry[1]

    def check_root(self, root: int) -> int:
        """The tree depth at `root`; raises the registry's ContractRevertError (cached for this block)."""
        block = self._current_block()
        key = (root, block)
        with self._lock:
            answer = self._cached(root, block)
            leader = answer is None and key not in self._in_flight
            waiting = None if answer is not None or leader else self._in_flight[key]
            if leader:
                self._in_flight[key] = threading.Event()
        if waiting is not None:
            waiting.wait(IN_FLIGHT_WAIT_S)
            with self._lock:
                answer = self._cached(root, block)
        if answer is None:
            answer = self._ask(root, block, leader)
        if isinstance(answer, ContractRevertError):
            raise _fresh(answer)  # a new instance: re-raising one would grow its traceback
        return answer

    def _ask(self, root: int, block: int, leader: bool) -> int | ContractRevertError:
        """One `checkRoot` call, its answer cached for `block`; wakes the waiters when `leader`."""
        try:
            with self._lock:
                self.calls += 1
            try:
                answer: int | ContractRevertError = self._registry.check_root(root)
            except ContractRevertError as e:
                answer = _fresh(e)  # kept without the traceback of this call
            with self._lock:
                self._entries[root] = (block, answer)
                self._entries.move_to_end(root)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
            return answer
        finally:
            if leader:
                with self._lock:
                    event = self._in_flight.pop((root, block), None)
                if event is not None:
                    event.set()


def _fresh(error: ContractRevertError) -> ContractRevertError:
    return ContractRevertError(error.error, error.error_args, error.data)
