"""NullifierStore on SQLite: one use per (action, nullifier), also when many threads race."""

from __future__ import annotations

import threading

import pytest

from governance import NullifierStore, NullifierUsedError, sqlite_url

NULLIFIER = 2**253 + 12345  # a field element wider than any SQL integer type


@pytest.fixture
def store(tmp_path):
    built = NullifierStore(sqlite_url(tmp_path))
    try:
        yield built
    finally:
        built.close()


def test_a_nullifier_is_spent_once_per_action(store):
    store.record("vote", NULLIFIER, 1)
    with pytest.raises(NullifierUsedError) as refused:
        store.record("vote", NULLIFIER, 2)
    assert refused.value.nullifier == NULLIFIER
    store.record("another-action", NULLIFIER, 1)  # actions are independent scopes
    assert store.is_used("vote", NULLIFIER) and not store.is_used("vote", NULLIFIER - 1)
    assert store.count() == 2


def test_racing_threads_spend_a_nullifier_exactly_once(store):
    outcomes: list[str] = []
    barrier, lock = threading.Barrier(16), threading.Lock()

    def spend(signal: int) -> None:
        barrier.wait()
        try:
            store.record("race", NULLIFIER, signal)  # each thread claims it for another signal
            outcome = "ok"
        except NullifierUsedError:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=spend, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 15
    assert store.count() == 1


def test_the_store_persists_across_reopening(tmp_path):
    first = NullifierStore(sqlite_url(tmp_path))
    first.record("vote", NULLIFIER, 0)
    first.close()
    second = NullifierStore(sqlite_url(tmp_path))
    try:
        assert second.record("vote", NULLIFIER, 0) is False  # the same claim: a repeat, not a new use
        with pytest.raises(NullifierUsedError):
            second.record("vote", NULLIFIER, 1)
    finally:
        second.close()
