"""The service's write-ahead journal of reservations: what recovery needs to finish or undo each one.

    reserving (record id, station, commitment, deadline)   before the templates go into the gallery
    reserved                                                the templates are in, the head is signed
    releasing                                               before the templates leave the gallery
    committed / released                                    final

One JSON line per step, fsynced before the step runs; a torn last line announces a step that never
ran and is dropped. While a reservation is open its line links a gallery record id to an identity
commitment (the service must check the chain for that commitment when the deadline passes);
`compact` drops finished reservations, so the link does not outlive the enrollment, as the
station's own journal does (enrollment/journal.py).
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hardware.atomic_file import write_private_file

from .errors import UniquenessError

STATES = ("reserving", "reserved", "releasing", "committed", "released")
FINAL = frozenset({"committed", "released"})
IN_FLIGHT = frozenset({"reserving", "releasing"})  # a gallery change may be half done
NEXT = {
    "reserving": {"reserved", "released"},
    "reserved": {"committed", "releasing"},
    "releasing": {"released"},
}
FILE_MODE = 0o600


class JournalError(UniquenessError, RuntimeError):
    """The reservation journal is locked by another process, corrupt, or refused a transition."""

    code = "journal_error"
    status = 500


@dataclass(frozen=True)
class Reservation:
    """The latest state of one reservation and its fields (record id, station, commitment, deadline)."""

    key: str  # "<station address lower-case>:<reservation id>"
    state: str
    fields: Mapping[str, object] = field(default_factory=dict)

    @property
    def record_id(self) -> int:
        return int(self.fields["record_id"])  # type: ignore[call-overload]

    @property
    def station(self) -> str:
        return str(self.fields["station"])

    @property
    def commitment(self) -> int:
        return int(str(self.fields["commitment"]))

    @property
    def deadline(self) -> int:
        return int(self.fields["deadline"])  # type: ignore[call-overload]


def reservation_key(station: str, reservation: str) -> str:
    """Reservations are named by the station that made them: ids only need to be unique per station."""
    return f"{station.lower()}:{reservation}"


class ReservationJournal:
    """Append-only JSON lines, exclusively locked while open. Use `ReservationJournal.open(path)`."""

    def __init__(self, path: Path, fd: int, entries: dict[str, Reservation]) -> None:
        self.path, self._fd, self._entries = path, fd, entries

    @classmethod
    def open(cls, path: Path) -> ReservationJournal:
        """Open (creating) the journal; drops a torn last line; JournalError when locked or corrupt."""
        path = Path(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(fd)
            raise JournalError(f"reservation journal {path} is open in another service process") from e
        try:
            return cls(path, fd, _replay(path, fd))
        except BaseException:
            os.close(fd)
            raise

    def record(self, key: str, state: str, **fields: object) -> Reservation:
        """Durably record that reservation `key` reached `state` (fsynced before returning)."""
        previous = self._entries.get(key)
        if state not in STATES:
            raise JournalError(f"unknown reservation state {state!r}")
        if (previous is None) != (state == "reserving"):
            raise JournalError(f"reservation {key}: {state} without a reserving line, or reserved twice")
        if previous is not None and state not in NEXT.get(previous.state, set()):
            raise JournalError(f"reservation {key}: {previous.state} -> {state} is not allowed")
        line = json.dumps({"key": key, "state": state, **fields}, sort_keys=True).encode() + b"\n"
        os.write(self._fd, line)
        os.fsync(self._fd)
        entry = Reservation(key, state, {**(previous.fields if previous else {}), **fields})
        self._entries[key] = entry
        return entry

    def get(self, key: str) -> Reservation | None:
        """The latest state of reservation `key`, or None (never made, or finished and compacted)."""
        return self._entries.get(key)

    def open_reservations(self) -> list[Reservation]:
        """Unfinished reservations, oldest first."""
        return [e for e in self._entries.values() if e.state not in FINAL]

    def compact(self) -> None:
        """Rewrite the file with only unfinished reservations (atomic rename); keeps the lock."""
        keep = self.open_reservations()
        if len(keep) == len(self._entries):
            return
        data = b"".join(
            json.dumps({"key": e.key, "state": e.state, **e.fields}, sort_keys=True).encode() + b"\n"
            for e in keep
        )
        write_private_file(self.path, data)
        new_fd = os.open(self.path, os.O_RDWR | os.O_APPEND)
        fcntl.flock(new_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(self._fd)
        self._fd, self._entries = new_fd, {e.key: e for e in keep}

    def close(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1


def _replay(path: Path, fd: int) -> dict[str, Reservation]:
    data = os.pread(fd, os.fstat(fd).st_size, 0)
    if data and not data.endswith(b"\n"):  # torn append: its step never started
        cut = data.rfind(b"\n") + 1
        os.ftruncate(fd, cut)
        os.fsync(fd)
        data = data[:cut]
    entries: dict[str, Reservation] = {}
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            doc = json.loads(line)
            key, state = doc.pop("key"), doc.pop("state")
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            raise JournalError(f"reservation journal {path} line {number} is corrupt ({e})") from e
        if state not in STATES or not isinstance(key, str):
            raise JournalError(f"reservation journal {path} line {number} has an unknown state")
        previous = entries.get(key)
        entries[key] = Reservation(key, state, {**(previous.fields if previous else {}), **doc})
    return entries
