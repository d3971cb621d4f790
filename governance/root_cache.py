"""The registry's `checkRoot` answers, cached per block.

A root's status (current, recent, expired, unknown) can only change when a block is mined, so within
one block every request for the same root gets the first answer, and a flood of proofs for one root
costs one `eth_call` per block instead of one per request. The block number itself comes from
`block_number()` (eth_blockNumber, the cheapest read a node serves), asked at most every `poll_s`
seconds: 0 asks on every request (no staleness at all); a positive value trades up to `poll_s` of
staleness for even fewer reads. Revert answers (UnknownRoot, RootExpired) are cached like depths; chain
failures are not. At most `max_entries` roots are kept (least recently used dropped first).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from contracts import ContractRevertError

from .proof_check import RootSource

DEFAULT_MAX_ENTRIES = 4096


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
        self.calls = 0  # checkRoot calls that reached the registry (for tests and metrics)

    def _current_block(self) -> int:
        now = self._clock()
        with self._lock:
            if self._block is not None and self._poll_s > 0 and now - self._block[0] < self._poll_s:
                return self._block[1]
        block = int(self._block_number())
        with self._lock:
            self._block = (now, block)
        return block

    def check_root(self, root: int) -> int:
        """The tree depth at `root`; raises the registry's ContractRevertError (cached for this block)."""
        block = self._current_block()
        with self._lock:
            entry = self._entries.get(root)
            if entry is not None and entry[0] == block:
                self._entries.move_to_end(root)
                answer = entry[1]
                if isinstance(answer, ContractRevertError):
                    raise _fresh(answer)  # a new instance: re-raising one would grow its traceback
                return answer
        try:
            self.calls += 1
            answer: int | ContractRevertError = self._registry.check_root(root)
        except ContractRevertError as e:
            answer = _fresh(e)  # kept without the traceback of this call
        with self._lock:
            self._entries[root] = (block, answer)
            self._entries.move_to_end(root)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        if isinstance(answer, ContractRevertError):
            raise _fresh(answer)
        return answer


def _fresh(error: ContractRevertError) -> ContractRevertError:
    return ContractRevertError(error.error, error.error_args, error.data)
