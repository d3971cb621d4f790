"""CachedRoots: one answer per root and block, and one RPC call per burst (single-flight), never a stampede.

The registry here is a stand-in for the JSON-RPC node (a slow `checkRoot` and `eth_blockNumber`), so that
the concurrency can be forced; the per-block caching against a real chain is tested in
tests/security/test_verify_api_limits.py.
"""

from __future__ import annotations

import threading
import time

import pytest

from contracts import ContractRevertError
from governance.root_cache import CachedRoots

THREADS = 16


class SlowRegistry:
    """checkRoot that takes `delay_s` and counts its calls; roots below 100 are unknown."""

    def __init__(self, delay_s: float = 0.05, fail_first: int = 0) -> None:
        self.delay_s, self.calls, self.fail_first = delay_s, 0, fail_first
        self._lock = threading.Lock()

    def check_root(self, root: int) -> int:
        with self._lock:
            self.calls += 1
            failing = self.calls <= self.fail_first
        time.sleep(self.delay_s)
        if failing:
            raise ConnectionError("node went away")
        if root < 100:
            raise ContractRevertError("UnknownRoot", (root,), b"")
        return 20


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _burst(fn, n: int = THREADS) -> list:
    """Run `fn` in n threads released at once; its results (or exceptions) in a list."""
    start, out = threading.Barrier(n), [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            out[i] = fn()
        except Exception as e:  # collected for the assertions, not swallowed
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return out


def test_a_burst_on_one_root_makes_one_check_root_call():
    registry = SlowRegistry()
    roots = CachedRoots(registry, lambda: 7)
    assert _burst(lambda: roots.check_root(12345)) == [20] * THREADS
    assert registry.calls == 1 and roots.calls == 1


def test_a_burst_on_an_unknown_root_makes_one_call_and_every_caller_gets_the_revert():
    registry = SlowRegistry()
    roots = CachedRoots(registry, lambda: 7)
    out = _burst(lambda: roots.check_root(5))
    assert all(isinstance(e, ContractRevertError) and e.error == "UnknownRoot" for e in out)
    assert registry.calls == 1
    assert len({id(e) for e in out}) == THREADS  # each caller its own instance (no shared traceback)


def test_different_roots_are_asked_separately_and_a_new_block_asks_again():
    registry, block = SlowRegistry(delay_s=0.0), [7]
    roots = CachedRoots(registry, lambda: block[0])
    assert roots.check_root(1000) == 20 and roots.check_root(2000) == 20 and registry.calls == 2
    assert roots.check_root(1000) == 20 and registry.calls == 2
    block[0] = 8
    assert roots.check_root(1000) == 20 and registry.calls == 3


def test_when_the_leader_fails_the_waiters_ask_the_chain_themselves():
    registry = SlowRegistry(fail_first=1)
    roots = CachedRoots(registry, lambda: 7)
    out = _burst(lambda: roots.check_root(12345))
    failures = [e for e in out if isinstance(e, ConnectionError)]
    assert len(failures) == 1  # only the leader saw its own failure: chain failures are not cached
    assert out.count(20) == THREADS - 1
    assert registry.calls >= 2


def test_a_stale_block_number_is_read_by_one_thread_while_the_others_use_the_last_one():
    clock, reads, gate = Clock(), [], threading.Event()

    def block_number() -> int:
        reads.append(1)
        if len(reads) > 1:
            gate.wait(5)  # the refresh is slow: everyone else arrives while it is in flight
        return 7 + len(reads)

    roots = CachedRoots(SlowRegistry(delay_s=0.0), block_number, poll_s=0.25, clock=clock)
    roots.check_root(1000)  # block 8 read at t=0
    clock.now = 0.3  # stale
    refresher = threading.Thread(target=roots.check_root, args=(1000,))
    refresher.start()
    while len(reads) < 2:
        time.sleep(0.001)
    # the refresh is in flight: these use block 8 (cached answer) without reading the block number
    assert _burst(lambda: roots.check_root(1000)) == [20] * THREADS
    assert len(reads) == 2
    gate.set()
    refresher.join(5)
    assert roots._current_block() == 9 and len(reads) == 2  # fresh again at t=0.3


@pytest.mark.parametrize("poll_s", [0.0])
def test_without_polling_every_request_reads_the_block_number(poll_s):
    reads = []
    roots = CachedRoots(SlowRegistry(delay_s=0.0), lambda: reads.append(1) or 7, poll_s=poll_s)
    for _ in range(5):
        roots.check_root(1000)
    assert len(reads) == 5
