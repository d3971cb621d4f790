"""NullifierStore on SQLite and on a real PostgreSQL server (tests/postgres_server.py): one use per
(action, nullifier), also when many threads race. Each behaviour test runs on both databases."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from governance import NullifierStore, NullifierUsedError, UpstreamError, sqlite_url
from governance.nullifier_store import nullifiers

NULLIFIER = 2**253 + 12345  # a field element wider than any SQL integer type


@pytest.fixture
def store(sql_url):
    built = NullifierStore(sql_url)
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


def test_racing_repeats_of_one_claim_record_it_once(store):
    """The same (action, nullifier, signal) from 16 threads: one records it, 15 see the first verdict."""
    verdicts: list[bool] = []
    barrier, lock = threading.Barrier(16), threading.Lock()

    def claim() -> None:
        barrier.wait()
        verdict = store.record("race", NULLIFIER, 7)
        with lock:
            verdicts.append(verdict)

    threads = [threading.Thread(target=claim) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(verdicts) == [False] * 15 + [True]
    assert store.count() == 1 and store.recorded_signal("race", NULLIFIER) == 7


def test_the_store_persists_across_reopening(sql_url):
    first = NullifierStore(sql_url)
    first.record("vote", NULLIFIER, 0)
    first.close()
    second = NullifierStore(sql_url)
    try:
        assert second.record("vote", NULLIFIER, 0) is False  # the same claim: a repeat, not a new use
        with pytest.raises(NullifierUsedError):
            second.record("vote", NULLIFIER, 1)
    finally:
        second.close()


def test_is_used_asks_about_one_action_only(store):
    store.record("vote", NULLIFIER, 1)
    assert store.is_used("vote", NULLIFIER)
    assert not store.is_used("another-action", NULLIFIER)  # the pre-check must not refuse other scopes
    assert not store.is_used("vote", NULLIFIER + 1)


def test_the_row_holds_exactly_what_was_recorded(store):
    store.record("vote", NULLIFIER, 77, now=1_700_000_000)
    with store.engine.connect() as connection:
        rows = connection.execute(select(nullifiers)).mappings().all()
    assert [dict(row) for row in rows] == [
        {
            "id": 1,
            "action": "vote",
            "nullifier": str(NULLIFIER),
            "signal_hash": "77",
            "recorded_at": 1_700_000_000,
        }
    ]


def test_refusals_say_what_happened(store):
    assert store.record("vote", NULLIFIER, 1) is True
    assert store.record("vote", NULLIFIER, 1) is False  # the identical claim again: the first verdict stands
    with pytest.raises(NullifierUsedError, match="already used for this action") as used:
        store.record("vote", NULLIFIER, 2)  # the same person, another signal
    assert used.value.nullifier == NULLIFIER
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE used_nullifiers"))
    with pytest.raises(UpstreamError, match="the nullifier database is unavailable") as down:
        store.record("vote", NULLIFIER + 1, 1)
    # the driver's text ("no such table" / "relation ... does not exist") stays in the log (finding 8)
    assert "table" not in str(down.value) and "used_nullifiers" not in str(down.value)


def test_the_database_file_and_its_folders_are_created(tmp_path):
    data_dir = tmp_path / "not" / "yet" / "there"
    assert sqlite_url(data_dir) == f"sqlite:///{data_dir}/governance.sqlite3"
    store = NullifierStore(sqlite_url(data_dir))
    try:
        store.record("vote", NULLIFIER, 0)
        assert (data_dir / "governance.sqlite3").is_file()
        with store.engine.connect() as connection:  # concurrent readers and a waiting writer (30 s)
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        store.close()


def test_other_databases_create_no_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    memory = NullifierStore("sqlite:///:memory:")
    memory.close()
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    explicit = NullifierStore(f"sqlite+pysqlite:///{data_dir / 'n.sqlite3'}")  # a driver named: no mkdir
    explicit.record("vote", NULLIFIER, 0)
    explicit.close()
    with pytest.raises((ImportError, OperationalError)):  # no PostgreSQL driver or server here
        NullifierStore("postgresql://user@127.0.0.1:1/personhood")
    assert list(tmp_path.iterdir()) == [data_dir]
    assert {p.name.split("-")[0] for p in data_dir.iterdir()} == {"n.sqlite3"}  # -wal / -shm while open


def test_the_drivers_words_go_to_the_log_and_the_client_gets_a_fixed_message(store, caplog):
    store.record("vote", NULLIFIER, 1)
    with pytest.raises(NullifierUsedError, match=r"^this nullifier was already used for this action$"):
        store.record("vote", NULLIFIER, 2)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE used_nullifiers"))
    words = r"^the nullifier database is unavailable; nothing was recorded, retry later$"
    for call in (lambda: store.record("vote", NULLIFIER + 1, 1), lambda: store.is_used("vote", NULLIFIER)):
        caplog.clear()
        with (
            caplog.at_level(logging.WARNING, logger="governance.nullifier_store"),
            pytest.raises(UpstreamError, match=words),
        ):
            call()
        assert [r.getMessage()[:26] for r in caplog.records] == ["nullifier database error: "]
        assert "used_nullifiers" in caplog.records[0].getMessage()  # the driver names the missing table
