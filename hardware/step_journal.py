"""A write-ahead journal of multi-step operations: one JSON line per step, fsynced before the step runs.

The station's enrollments (enrollment/station/journal.py) and the uniqueness service's reservations
(uniqueness/reservations.py) both use it, each with its own states and allowed transitions. A torn last
line (a crash during the write) announces a step that never started, so it is dropped on open; a
corrupt complete line stops the open. `compact` rewrites the file with only the unfinished operations,
so links recorded while an operation is in flight do not outlive it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .atomic_file import write_private_file
from .locked_file import LockedFile, fsync_directory

FILE_MODE = 0o600


@dataclass(frozen=True)
class JournalRules:
    """What one kind of journal allows: its states, how an operation starts, moves and ends.

    `key_field` names the operation's key in each line; `error(message)` makes the caller's error type
    (raised for a locked file, a corrupt line or a refused transition); `what` names the journal in
    messages (e.g. "journal", "reservation journal").
    """

    what: str
    key_field: str
    states: tuple[str, ...]
    first: str
    next: Mapping[str, frozenset[str]]
    final: frozenset[str]
    error: Callable[[str], Exception]
    holder: str = "another process"  # who else may hold the lock, for the refusal message
    max_line_bytes: int = 4096

    def busy(self, path: Path) -> Exception:
        """The error for a journal file another process has open."""
        return self.error(f"{self.what} {path} is open in {self.holder}")


@dataclass(frozen=True)
class StepEntry:
    """The latest state of one operation and every field recorded for it so far."""

    key: str
    state: str
    fields: Mapping[str, object]


class StepJournal:
    """An append-only journal file, exclusively locked while open. Use `StepJournal.open(path, rules)`."""

    def __init__(
        self, path: Path, file: LockedFile, rules: JournalRules, entries: dict[str, StepEntry]
    ) -> None:
        self.path, self._file, self.rules, self._entries = path, file, rules, entries

    @classmethod
    def open(cls, path: str | os.PathLike[str], rules: JournalRules) -> StepJournal:
        """Open (creating) the journal at `path`, dropping a torn last line; `rules.error` when another
        process holds it or a complete line is corrupt."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        file = LockedFile.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE, rules.busy)
        try:
            return cls(path, file, rules, _replay(path, file.fd, rules))
        except BaseException:
            file.close()
            raise

    def record(self, key: str, state: str, **fields: object) -> StepEntry:
        """Durably record that operation `key` reached `state` (fsynced before returning); the fields merge
        with those recorded before. `rules.error` for an unknown state or a transition not allowed."""
        rules, previous = self.rules, self._entries.get(key)
        if state not in rules.states:
            raise rules.error(f"unknown {rules.what} state {state!r}")
        if previous is None and state != rules.first:
            raise rules.error(f"{key} has no {rules.first} in the {rules.what}")
        if previous is not None and state not in rules.next.get(previous.state, frozenset()):
            raise rules.error(f"{key}: {previous.state} -> {state} is not allowed")
        line = _line(rules.key_field, key, state, fields)
        if len(line) > rules.max_line_bytes:
            raise rules.error(f"{rules.what} line too long")
        if self._file.closed:
            raise rules.error(f"{rules.what} {self.path} is closed")
        os.write(self._file.fd, line)
        os.fsync(self._file.fd)
        entry = StepEntry(key, state, {**(previous.fields if previous else {}), **fields})
        self._entries[key] = entry
        return entry

    def get(self, key: str) -> StepEntry | None:
        """The latest entry of one operation, or None (never started, or finished and compacted)."""
        return self._entries.get(key)

    def pending(self) -> list[StepEntry]:
        """Unfinished operations, oldest first (what recovery must resolve)."""
        return [e for e in self._entries.values() if e.state not in self.rules.final]

    def entries(self) -> list[StepEntry]:
        """Every operation the file holds (finished ones too, until `compact`), oldest first."""
        return list(self._entries.values())

    def compact(self) -> int:
        """Rewrite the file with only the unfinished entries (atomically; the lock is kept); returns how
        many finished ones were dropped."""
        keep = self.pending()
        dropped = len(self._entries) - len(keep)
        if dropped == 0:
            return 0
        data = b"".join(_line(self.rules.key_field, e.key, e.state, e.fields) for e in keep)
        tmp = self.path.with_name(self.path.name + ".compact")
        write_private_file(tmp, data)
        new_file = LockedFile.open(tmp, os.O_RDWR | os.O_APPEND, FILE_MODE, self.rules.busy)
        os.replace(tmp, self.path)
        fsync_directory(self.path.parent)
        self._file.close()
        self._file, self._entries = new_file, {e.key: e for e in keep}
        return dropped

    def close(self) -> None:
        """Release the lock (idempotent)."""
        self._file.close()

    def __enter__(self) -> StepJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _line(key_field: str, key: str, state: str, fields: Mapping[str, object]) -> bytes:
    return json.dumps({key_field: key, "state": state, **fields}, sort_keys=True).encode() + b"\n"


def _replay(path: Path, fd: int, rules: JournalRules) -> dict[str, StepEntry]:
    data = os.pread(fd, os.fstat(fd).st_size, 0)
    if data and not data.endswith(b"\n"):  # torn append: its step never started
        cut = data.rfind(b"\n") + 1
        os.ftruncate(fd, cut)
        os.fsync(fd)
        data = data[:cut]
    entries: dict[str, StepEntry] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        try:
            doc = json.loads(raw)
            key, state = doc.pop(rules.key_field), doc.pop("state")
        except (ValueError, KeyError, AttributeError, TypeError) as e:
            raise rules.error(
                f"{rules.what} {path} line {number} is corrupt ({e}); inspect it by hand"
            ) from e
        if state not in rules.states or not isinstance(key, str):
            raise rules.error(f"{rules.what} {path} line {number} has an unknown state {state!r}")
        previous = entries.get(key)
        entries[key] = StepEntry(key, state, {**(previous.fields if previous else {}), **doc})
    return entries
