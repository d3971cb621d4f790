"""RelayQueue's SQL (governance/relay_queue.py) on SQLite and on a real PostgreSQL server, without a
chain: one row per vote also when many threads enqueue it at once, one transaction per nonce, and
every column read back exactly as written (field elements and gas prices wider than BIGINT)."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy.exc import OperationalError

from governance import AlreadyQueuedError, RelayQueue, UpstreamError
from governance.relay_queue import FAILED, MINED, QUEUED, SENT, SIGNED, relay_queue_url, relay_votes

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
    assert (again.tx_hash, again.sent_at) == (None, None)
    queue.failed(other.id, "x" * 500, release_nonce=True)
    failed = queue.get("opv", NULLIFIER + 1)
    assert (failed.state, failed.error, failed.nonce) == (FAILED, "x" * 200, None)
    assert queue.count(SENT) == 0 and queue.count(MINED) == 1 and queue.highest_nonce(SENDER) == 8


def test_rows_are_listed_by_state_and_sender_queued_oldest_first_others_by_nonce(queue):
    votes = [_enqueue(queue, NULLIFIER + i) for i in range(4)]
    other = queue.enqueue("opv", 3, NULLIFIER + 9, "0x" + "ef" * 20, TO, "0x", 250_000)
    queue.sign({votes[0].id: 4, votes[2].id: 3}, 10**9)
    queue.requeue([votes[0].id])  # updated, then queued again: still the oldest
    queue.sign({votes[3].id: 9}, 10**9)
    queue.mined(votes[3].id, 1, 21_000)
    assert [v.id for v in queue.in_state((QUEUED,), SENDER)] == [votes[0].id, votes[1].id]
    assert [v.id for v in queue.in_state((QUEUED,), SENDER, limit=1)] == [votes[0].id]
    assert [v.id for v in queue.in_state((SIGNED, SENT), SENDER)] == [votes[2].id]  # not the mined one
    assert [v.id for v in queue.in_state((SIGNED, MINED), SENDER)] == [votes[2].id, votes[3].id]
    assert [v.id for v in queue.in_state((QUEUED,), other.sender)] == [other.id]
    assert queue.highest_nonce(other.sender) is None
    assert queue.highest_nonce(SENDER) == 9


def test_an_empty_queue_has_no_highest_nonce_and_no_rows(queue):
    assert queue.highest_nonce(SENDER) is None
    assert queue.count() == 0 and queue.count(QUEUED) == 0
    assert queue.in_state((QUEUED,), SENDER) == [] and queue.get("opv", NULLIFIER) is None


def test_at_most_1000_rows_are_listed_unless_asked(tmp_path):
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    row = dict(ballot="opv", proposal_id=1, sender=SENDER, to_address=TO, data="0x", gas=1, state=QUEUED)
    with queue.engine.begin() as connection:
        connection.execute(
            relay_votes.insert(), [row | {"nullifier": str(i), "created_at": 0.0} for i in range(1001)]
        )
    assert len(queue.in_state((QUEUED,), SENDER)) == 1000
    assert len(queue.in_state((QUEUED,), SENDER, limit=1001)) == 1001
    queue.close()


def test_a_requeued_row_forgets_its_transaction(queue):
    vote = _enqueue(queue, NULLIFIER)
    queue.sign({vote.id: 3}, 10**9)
    queue.sent({vote.id: "0x" + "22" * 32}, 2 * 10**9)
    sent = queue.get("opv", NULLIFIER)
    assert (sent.state, sent.gas_price, sent.tx_hash) == (SENT, 2 * 10**9, "0x" + "22" * 32)
    queue.requeue([vote.id])
    again = queue.get("opv", NULLIFIER)
    assert (again.state, again.nonce, again.gas_price, again.tx_hash, again.sent_at) == (
        QUEUED,
        None,
        None,
        None,
        None,
    )
    queue.sign({vote.id: 4}, 10**9)
    queue.failed(vote.id, "reverted")  # its nonce was spent on chain: kept
    failed = queue.get("opv", NULLIFIER)
    assert (failed.state, failed.nonce, failed.error, failed.done) == (FAILED, 4, "reverted", True)


def test_a_sqlite_queue_makes_its_folders_and_uses_wal_with_a_busy_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'a' / 'b' / 'q.sqlite3'}"
    first = RelayQueue(url)
    again = RelayQueue(url)  # the folders exist now
    _enqueue(first, NULLIFIER)
    assert again.get("opv", NULLIFIER) is not None
    with again.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    first.close()
    again.close()
    memory = RelayQueue("sqlite:///:memory:")
    assert memory.count() == 0
    memory.close()
    assert relay_queue_url(tmp_path) == f"sqlite:///{tmp_path / 'relay-queue.sqlite3'}"


def test_a_broken_database_is_upstream_error_and_the_drivers_words_go_to_the_log(queue, caplog):
    vote = _enqueue(queue, NULLIFIER)
    with queue.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE relay_queue")
    calls = [
        lambda: _enqueue(queue, NULLIFIER + 1),
        lambda: queue.get("opv", NULLIFIER),
        lambda: queue.in_state((QUEUED,), SENDER),
        lambda: queue.sign({vote.id: 1}, 10**9),
        lambda: queue.mined(vote.id, 1, 1),
    ]
    for call in calls:
        caplog.clear()
        words = r"^the relay queue database is unavailable; nothing was"
        with (
            caplog.at_level(logging.WARNING, logger="governance.relay_queue"),
            pytest.raises(UpstreamError, match=words),
        ):
            call()
        assert [r.getMessage()[:29] for r in caplog.records] == ["relay queue database error: ("]
        assert "relay_queue" in caplog.records[0].getMessage()  # the driver names the missing table


def test_a_second_enqueue_names_the_vote_and_another_ballot_is_another_vote(queue):
    vote = _enqueue(queue, NULLIFIER)
    with pytest.raises(AlreadyQueuedError, match=r"^this vote is already queued$") as again:
        _enqueue(queue, NULLIFIER)
    assert again.value.nullifier == NULLIFIER and again.value.code == "already_queued"
    assert queue.get("qv", NULLIFIER) is None  # the same nullifier on another ballot is not this row
    queue.sign({vote.id: 2}, 3 * 10**9)
    signed = queue.get("opv", NULLIFIER)
    assert (signed.state, signed.nonce, signed.gas_price, signed.tx_hash) == (SIGNED, 2, 3 * 10**9, None)


def test_urls_that_name_no_sqlite_file_create_no_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    for url in ("sqlite://", "sqlite:///:memory:", f"sqlite+pysqlite:///{data_dir / 'q.sqlite3'}"):
        RelayQueue(url).close()  # a driver named: the folder must exist already
    with pytest.raises((ImportError, OperationalError)):  # no server on port 1
        RelayQueue("postgresql://user@127.0.0.1:1/personhood")
    assert list(tmp_path.iterdir()) == [data_dir]
