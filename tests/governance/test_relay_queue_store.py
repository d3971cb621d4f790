"""RelayQueue's SQL (governance/relay_queue.py) on SQLite and on a real PostgreSQL server, without a
chain: one row per vote also when many threads enqueue it at once, one transaction per nonce, and
every column read back exactly as written (field elements and gas prices wider than BIGINT)."""

from __future__ import annotations

import threading

import pytest

from governance import AlreadyQueuedError, RelayQueue, UpstreamError
from governance.relay_queue import FAILED, MINED, QUEUED, SENT, SIGNED

NULLIFIER = 2**253 + 987  # wider than any SQL integer type
SENDER = "0x" + "ab" * 20
TO = "0x" + "cd" * 20


@pytest.fixture
def queue(sql_url):
    built = RelayQueue(sql_url)
    try:
        yield built
    finally:
        built.close()


def _enqueue(queue: RelayQueue, nullifier: int):
    return queue.enqueue("opv", 3, nullifier, SENDER, TO, "0xdeadbeef", 250_000)


def test_racing_threads_queue_a_vote_once(queue):
    outcomes: list[str] = []
    barrier, lock = threading.Barrier(16), threading.Lock()

    def enqueue() -> None:
        barrier.wait()
        try:
            _enqueue(queue, NULLIFIER)
            outcome = "queued"
        except AlreadyQueuedError:
            outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=enqueue) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["queued"] + ["refused"] * 15
    assert queue.count() == 1 and queue.count(QUEUED) == 1


def test_a_nonce_holds_one_transaction_and_a_refused_batch_changes_nothing(queue):
    first, second, third = (_enqueue(queue, NULLIFIER + i) for i in range(3))
    queue.sign({first.id: 5}, gas_price=10**9)
    with pytest.raises(UpstreamError, match="nothing was queued"):
        queue.sign({second.id: 6, third.id: 5}, gas_price=10**9)  # nonce 5 is taken
    assert queue.get("opv", NULLIFIER + 1).state == QUEUED  # the batch is one transaction: 6 not kept
    assert queue.get("opv", NULLIFIER + 2).state == QUEUED
    assert queue.highest_nonce(SENDER) == 5


def test_a_vote_reads_back_exactly_through_its_life(queue):
    vote = _enqueue(queue, NULLIFIER)
    assert (vote.ballot, vote.proposal_id, vote.nullifier, vote.state) == ("opv", 3, NULLIFIER, QUEUED)
    assert (vote.sender, vote.to, vote.data, vote.gas) == (SENDER, TO, "0xdeadbeef", 250_000)
    other = _enqueue(queue, NULLIFIER + 1)
    gas_price = 2**70 + 1  # wider than BIGINT: stored as text
    queue.sign({vote.id: 8, other.id: 7}, gas_price)
    assert [v.nonce for v in queue.in_state((SIGNED,), SENDER)] == [7, 8]  # by nonce, not by row
    queue.sent({vote.id: "0x" + "11" * 32}, gas_price)
    queue.mined(vote.id, block_number=2**40, gas_used=123_456)
    done = queue.get("opv", NULLIFIER)
    assert (done.state, done.nonce, done.gas_price, done.tx_hash) == (MINED, 8, gas_price, "0x" + "11" * 32)
    assert (done.block_number, done.gas_used, done.done) == (2**40, 123_456, True)
    assert done.sent_at is not None
    queue.requeue([other.id])
    again = queue.get("opv", NULLIFIER + 1)
    assert (again.state, again.nonce, again.gas_price) == (QUEUED, None, None)
    queue.failed(other.id, "x" * 500, release_nonce=True)
    failed = queue.get("opv", NULLIFIER + 1)
    assert (failed.state, failed.error, failed.nonce) == (FAILED, "x" * 200, None)
    assert queue.count(SENT) == 0 and queue.count(MINED) == 1 and queue.highest_nonce(SENDER) == 8
