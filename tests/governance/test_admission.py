"""The admission gate: at most max_in_flight inside, a bounded queue in arrival order, bounded waits."""

from __future__ import annotations

import threading
import time

import pytest

from governance.admission import AdmissionGate, Capacity, OverloadedError


def _enter(gate: AdmissionGate, inside: threading.Event, leave: threading.Event, log: list, name: str):
    """A thread that waits its turn, records it, and stays inside until `leave` is set."""

    def run() -> None:
        try:
            with gate.admit():
                log.append(name)
                inside.set()
                leave.wait(10)
        except OverloadedError as e:
            log.append(f"{name}:refused:{e.retry_after:g}")
            inside.set()

    t = threading.Thread(target=run)
    t.start()
    return t


def _wait_until(predicate, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, "condition not reached"
        time.sleep(0.001)


def test_waiters_are_served_in_arrival_order_and_a_newcomer_never_barges():
    gate, log = AdmissionGate(Capacity(max_in_flight=1, max_queue=8, max_wait_s=10)), []
    first_leave = threading.Event()
    holder = _enter(gate, threading.Event(), first_leave, log, "holder")
    _wait_until(lambda: log == ["holder"])
    leaves = {n: threading.Event() for n in "abcd"}
    threads = []
    for n in "abcd":  # queued one after another, in this order
        threads.append(_enter(gate, threading.Event(), leaves[n], log, n))
        _wait_until(lambda n=n: gate.waiting == "abcd".index(n) + 1)
    first_leave.set()
    holder.join(5)
    # the slot went to "a" directly; a newcomer arriving now must queue behind b, c, d
    _wait_until(lambda: log[-1] == "a")
    newcomer_leave = threading.Event()
    threads.append(_enter(gate, threading.Event(), newcomer_leave, log, "new"))
    _wait_until(lambda: gate.waiting == 4)
    for n in "abcd":
        leaves[n].set()
    newcomer_leave.set()
    for t in threads:
        t.join(5)
    assert log == ["holder", "a", "b", "c", "d", "new"]
    assert gate.waiting == 0


def test_a_caller_leaving_and_coming_straight_back_queues_behind_the_waiter():
    """The barging case: release, then acquire again in the same thread before the waiter runs."""
    gate, log = AdmissionGate(Capacity(max_in_flight=1, max_queue=4, max_wait_s=10)), []
    entered, go = threading.Event(), threading.Event()

    def holder() -> None:
        with gate.admit():
            entered.set()
            go.wait(5)
        with gate.admit():  # no pause: a semaphore would let this one straight back in
            log.append("holder again")

    def waiter() -> None:
        with gate.admit():
            log.append("waiter")

    h = threading.Thread(target=holder)
    h.start()
    entered.wait(5)
    w = threading.Thread(target=waiter)
    w.start()
    _wait_until(lambda: gate.waiting == 1)
    go.set()
    h.join(5)
    w.join(5)
    assert log == ["waiter", "holder again"]


def test_at_most_max_in_flight_are_inside_at_once():
    gate, inside, peak, lock = (
        AdmissionGate(Capacity(max_in_flight=3, max_queue=64, max_wait_s=10)),
        [0],
        [0],
        threading.Lock(),
    )

    def work() -> None:
        with gate.admit():
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.005)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert peak[0] == 3 and inside[0] == 0 and gate.waiting == 0
    # every slot came back: three can enter again at once without waiting
    with gate.admit(), gate.admit(), gate.admit():
        assert gate.waiting == 0


def test_a_full_queue_refuses_at_once_with_retry_after():
    gate, log, leave = (
        AdmissionGate(Capacity(max_in_flight=1, max_queue=1, max_wait_s=7)),
        [],
        threading.Event(),
    )
    holder = _enter(gate, threading.Event(), leave, log, "holder")
    _wait_until(lambda: log == ["holder"])
    queued = _enter(gate, threading.Event(), leave, log, "queued")
    _wait_until(lambda: gate.waiting == 1)
    started = time.monotonic()
    with pytest.raises(OverloadedError) as refused, gate.admit():
        pass
    assert time.monotonic() - started < 0.5 and refused.value.retry_after == 7
    leave.set()
    holder.join(5)
    queued.join(5)
    assert log == ["holder", "queued"]


def test_a_wait_past_max_wait_is_refused_and_leaves_the_queue():
    gate, log, leave = (
        AdmissionGate(Capacity(max_in_flight=1, max_queue=4, max_wait_s=0.05)),
        [],
        threading.Event(),
    )
    holder = _enter(gate, threading.Event(), leave, log, "holder")
    _wait_until(lambda: log == ["holder"])
    with pytest.raises(OverloadedError, match=r"no capacity within 0\.05 s"), gate.admit():
        pass
    assert gate.waiting == 0
    leave.set()
    holder.join(5)
    with gate.admit():  # the slot was returned, not lost to the waiter that gave up
        assert gate.waiting == 0


def _race_once() -> list[str]:
    """A waiter whose 2 ms wait ends about when the holder releases; what happened to it."""
    gate = AdmissionGate(Capacity(max_in_flight=1, max_queue=4, max_wait_s=0.002))
    release, entered, outcome = threading.Event(), threading.Event(), []

    def hold() -> None:
        with gate.admit():
            entered.set()
            release.wait(5)

    def wait_turn() -> None:
        try:
            with gate.admit():
                outcome.append("in")
        except OverloadedError:
            outcome.append("refused")

    holder = threading.Thread(target=hold)
    holder.start()
    entered.wait(5)
    waiter = threading.Thread(target=wait_turn)
    waiter.start()
    _wait_until(lambda: gate.waiting == 1 or outcome)
    time.sleep(0.0015)
    release.set()
    holder.join(5)
    waiter.join(5)
    # the gate is whole again: nobody queued, exactly one slot (a second caller is refused after 2 ms)
    assert gate.waiting == 0
    with gate.admit(), pytest.raises(OverloadedError), gate.admit():
        pass
    return outcome


def test_a_slot_handed_over_as_the_wait_times_out_is_kept_not_lost():
    """Release and timeout race: whichever wins, the slot ends with exactly one owner."""
    outcomes = [_race_once() for _ in range(200)]
    assert all(o in (["in"], ["refused"]) for o in outcomes)
