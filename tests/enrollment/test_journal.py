"""The station journal: transitions, durability across reopen, torn tails, compaction, locking."""

from __future__ import annotations

from pathlib import Path

import pytest

from enrollment.errors import StationError
from enrollment.station.journal import Journal


def test_states_follow_the_protocol_and_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal.open(path) as journal:
        journal.record("a", "intent", record_id=7, commitment="12", deadline=100)
        journal.record("a", "gallery")
        journal.record("b", "intent", record_id=8, commitment="13", deadline=100)
        journal.record("b", "aborted", reason="test")
    with Journal.open(path) as journal:
        (entry,) = journal.pending()
        assert entry.enrollment_id == "a" and entry.state == "gallery"
        assert entry.fields == {"record_id": 7, "commitment": "12", "deadline": 100}
        assert journal.get("b").final


@pytest.mark.parametrize(
    ("history", "bad"),
    [
        ((), "gallery"),  # no intent
        (("intent",), "chain"),  # skipping the gallery and the send
        (("intent", "gallery", "sending", "chain", "committed"), "aborted"),  # final is final
        (("intent",), "flying"),  # unknown state
    ],
)
def test_transitions_outside_the_protocol_are_refused_and_not_written(
    tmp_path: Path, history: tuple[str, ...], bad: str
) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal.open(path) as journal:
        for state in history:
            journal.record("x", state)
        size = path.stat().st_size
        with pytest.raises(StationError):
            journal.record("x", bad)
        assert path.stat().st_size == size


def test_a_torn_last_line_is_dropped_and_a_corrupt_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal.open(path) as journal:
        journal.record("a", "intent", record_id=1, commitment="5", deadline=9)
    whole = path.read_bytes()
    path.write_bytes(whole + b'{"id": "a", "sta')  # the crash hit during the append of "gallery"
    with Journal.open(path) as journal:
        assert journal.get("a").state == "intent"
    assert path.read_bytes() == whole
    path.write_bytes(b"not json\n" + whole)
    with pytest.raises(StationError, match="line 1 is corrupt"):
        Journal.open(path)


def test_compaction_drops_finished_entries_only(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal.open(path) as journal:
        for name in ("done", "open"):
            journal.record(name, "intent", record_id=1, commitment="5", deadline=9)
        journal.record("done", "aborted", reason="r")
        assert journal.compact() == 1
        journal.record("open", "gallery")  # still appendable after the file was replaced
    text = path.read_text()
    assert "done" not in text
    with Journal.open(path) as journal:
        assert [e.enrollment_id for e in journal.pending()] == ["open"]
        assert journal.get("open").state == "gallery"


def test_one_writer_at_a_time(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with Journal.open(path), pytest.raises(StationError, match="another station"):
        Journal.open(path)
