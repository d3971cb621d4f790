"""Votes the relayer has sent but not yet seen mined, by (ballot, nullifier).

When the receipt does not come within the request's wait, the transaction may still be mined: the API
answers 202 with its hash instead of an error, and marks it handed back. A retry of the same ballot
(same nullifier) finds it and waits for that transaction again instead of sending a second one, whose
gas would be wasted on a certain NullifierAlreadyUsed revert (or, worse, on a nonce race). A twin that
arrives while the first request is still waiting is refused as a double vote (409), as before. Entries leave
when their receipt has been reported or after `ttl_s`; at most `max_entries` are kept (the relayer's
nonce sequence makes more than that in flight implausible; the oldest is dropped first).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_TTL_S = 3600.0
DEFAULT_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class PendingVote:
    """A sent vote: its transaction, the proposal it was reserved against, and whether a 202 named it."""

    tx_hash: bytes
    proposal: tuple[str, int]
    reserved: int
    handed_back: bool = False


class PendingVotes:
    """Thread-safe map (ballot, nullifier) -> PendingVote."""

    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl, self._max, self._clock = ttl_s, max_entries, clock
        self._entries: OrderedDict[tuple[str, int], tuple[float, PendingVote]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[str, int]) -> PendingVote | None:
        """The pending vote for `key`, or None."""
        with self._lock:
            self._expire()
            entry = self._entries.get(key)
            return None if entry is None else entry[1]

    def add(self, key: tuple[str, int], vote: PendingVote) -> None:
        """Remember a sent, not yet mined transaction."""
        with self._lock:
            self._entries[key] = (self._clock(), vote)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def hand_back(self, key: tuple[str, int]) -> None:
        """Mark `key` as answered with 202: a retry may now wait for its transaction."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries[key] = (entry[0], dataclasses.replace(entry[1], handed_back=True))

    def pop(self, key: tuple[str, int]) -> bool:
        """Forget `key` once its receipt has been reported; True if this call removed it."""
        with self._lock:
            return self._entries.pop(key, None) is not None

    def _expire(self) -> None:
        horizon = self._clock() - self._ttl
        while self._entries:
            first = next(iter(self._entries.values()))
            if first[0] > horizon:
                break
            self._entries.popitem(last=False)
