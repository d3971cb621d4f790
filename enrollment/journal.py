"""The station's crash-safe enrollment journal: write-ahead records that make a retry idempotent.

An enrollment touches stores that cannot share a transaction: the deployment's uniqueness service
(the template, reserved then committed; uniqueness/) and the chain (the leaf). The journal orders
them so that a crash at any point leaves something recovery can finish or undo:

    intent  (reservation id, commitment, deadline) written before anything else
    gallery (reserved at the uniqueness service)   the reservation can still be released
    sending (the signed attestation may be out)    from here the leaf may appear on chain
    chain   (leaf index, tx hash)                  the leaf is on chain
    committed / aborted                            final

Recovery (enrollment/station_recovery.py) looks at the chain for each unfinished entry: a leaf
there means commit; no leaf and no attestation sent (or its deadline passed) means release the
reservation and abort. So no template is kept without a leaf and no leaf without a template (the
service also settles any reservation left open past its deadline against the chain itself).

Format: one JSON object per line, appended with a single write and fsynced before the step it
announces runs. A torn last line (crash during the write) announces a step that never started, so
it is dropped on open. Entries link a reservation to a commitment while in flight; `compact`
drops finished entries, so that link does not outlive the enrollment.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hardware.locked_file import LockedFile, fsync_directory

from .station_steps import StationError

STATES = ("intent", "gallery", "sending", "chain", "committed", "aborted")
FINAL = frozenset({"committed", "aborted"})
NEXT = {
    "intent": {"gallery", "aborted"},
    "gallery": {"sending", "aborted"},
    "sending": {"chain", "aborted", "committed"},
    "chain": {"committed"},
}
MAX_LINE_BYTES = 4096
FILE_MODE = 0o600


@dataclass(frozen=True)
class JournalEntry:
    """The latest state of one enrollment and every field recorded for it so far."""

    enrollment_id: str
    state: str
    fields: Mapping[str, object] = field(default_factory=dict)

    @property
    def final(self) -> bool:
        """True once committed or aborted."""
        return self.state in FINAL


class Journal:
    """An append-only journal file; holds an exclusive lock while open. Use `Journal.open(path)`."""

    def __init__(self, path: Path, file: LockedFile, entries: dict[str, JournalEntry]) -> None:
        self.path, self._file, self._entries = path, file, entries

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Journal:
        """Open (creating) the journal at `path`, dropping a torn last line.

        Raises StationError when another process holds it or a complete line is corrupt.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        file = LockedFile.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE, _busy)
        try:
            entries = _replay(path, file.fd)
        except BaseException:
            file.close()
            raise
        return cls(path, file, entries)

    def record(self, enrollment_id: str, state: str, **fields: object) -> JournalEntry:
        """Durably record that `enrollment_id` reached `state` (fsynced before returning).

        Raises StationError for an unknown state or a transition the protocol does not allow.
        """
        previous = self._entries.get(enrollment_id)
        if state not in STATES:
            raise StationError(f"unknown journal state {state!r}")
        if previous is None and state != "intent":
            raise StationError(f"enrollment {enrollment_id} has no intent in the journal")
        if previous is not None and state not in NEXT.get(previous.state, set()):
            raise StationError(f"enrollment {enrollment_id}: {previous.state} -> {state} is not allowed")
        line = json.dumps({"id": enrollment_id, "state": state, **fields}, sort_keys=True).encode() + b"\n"
        if len(line) > MAX_LINE_BYTES:
            raise StationError("journal line too long")
        if self._file.closed:
            raise StationError(f"journal {self.path} is closed")
        os.write(self._file.fd, line)
        os.fsync(self._file.fd)
        merged = {**(previous.fields if previous else {}), **fields}
        entry = JournalEntry(enrollment_id, state, merged)
        self._entries[enrollment_id] = entry
        return entry

    def get(self, enrollment_id: str) -> JournalEntry | None:
        """The latest entry of one enrollment, or None."""
        return self._entries.get(enrollment_id)

    def pending(self) -> list[JournalEntry]:
        """Unfinished enrollments, oldest first (what recovery must resolve)."""
        return [e for e in self._entries.values() if not e.final]

    def compact(self) -> int:
        """Rewrite the file with only the unfinished entries (atomically); returns how many were dropped."""
        keep = self.pending()
        dropped = len(self._entries) - len(keep)
        if dropped == 0:
            return 0
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = b"".join(
            json.dumps({"id": e.enrollment_id, "state": e.state, **e.fields}, sort_keys=True).encode() + b"\n"
            for e in keep
        )
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        new_file = LockedFile.open(tmp, os.O_RDWR | os.O_APPEND, FILE_MODE, _busy)
        os.replace(tmp, self.path)
        fsync_directory(self.path.parent)
        self._file.close()
        self._file = new_file
        self._entries = {e.enrollment_id: e for e in keep}
        return dropped

    def close(self) -> None:
        """Release the lock (idempotent)."""
        self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _busy(path: Path) -> StationError:
    return StationError(f"journal {path} is open in another station process")


def _replay(path: Path, fd: int) -> dict[str, JournalEntry]:
    size = os.fstat(fd).st_size
    data = os.pread(fd, size, 0)
    if data and not data.endswith(b"\n"):  # torn append: its step never started
        cut = data.rfind(b"\n") + 1
        os.ftruncate(fd, cut)
        os.fsync(fd)
        data = data[:cut]
    entries: dict[str, JournalEntry] = {}
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            doc = json.loads(line)
            enrollment_id, state = doc.pop("id"), doc.pop("state")
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            raise StationError(f"journal {path} line {number} is corrupt ({e}); inspect it by hand") from e
        if state not in STATES or not isinstance(enrollment_id, str):
            raise StationError(f"journal {path} line {number} has an unknown state {state!r}")
        previous = entries.get(enrollment_id)
        merged = {**(previous.fields if previous else {}), **doc}
        entries[enrollment_id] = JournalEntry(enrollment_id, state, merged)
    return entries
