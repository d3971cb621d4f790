"""The station's crash-safe enrollment journal: write-ahead records that make a retry idempotent.

An enrollment touches stores that cannot share a transaction: the deployment's uniqueness service
(the template, reserved then committed; uniqueness/) and the chain (the leaf). The journal orders
them so that a crash at any point leaves something recovery can finish or undo:

    intent  (reservation id, commitment, deadline) written before anything else
    gallery (reserved at the uniqueness service)   the reservation can still be released
    sending (the signed attestation may be out)    from here the leaf may appear on chain
    chain   (leaf index, tx hash)                  the leaf is on chain
    committed / aborted                            final

Recovery (enrollment/station/recovery.py) looks at the chain for each unfinished entry: a leaf
there means commit; no leaf and no attestation sent (or its deadline passed) means release the
reservation and abort. So no template is kept without a leaf and no leaf without a template (the
service also settles any reservation left open past its deadline against the chain itself).

Format: one JSON object per line, appended with a single write and fsynced before the step it
announces runs. A torn last line (crash during the write) announces a step that never started, so
it is dropped on open. Entries link a reservation to a commitment while in flight; `compact`
drops finished entries, so that link does not outlive the enrollment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from hardware.step_journal import JournalRules, StepEntry, StepJournal

from ..errors import StationError

STATES = ("intent", "gallery", "sending", "chain", "committed", "aborted")
FINAL = frozenset({"committed", "aborted"})
NEXT = {
    "intent": frozenset({"gallery", "aborted"}),
    "gallery": frozenset({"sending", "aborted"}),
    "sending": frozenset({"chain", "aborted", "committed"}),
    "chain": frozenset({"committed"}),
}
MAX_LINE_BYTES = 4096
RULES = JournalRules(
    what="journal",
    key_field="id",
    states=STATES,
    first="intent",
    next=NEXT,
    final=FINAL,
    error=StationError,
    holder="another station process",
    max_line_bytes=MAX_LINE_BYTES,
)


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


def _entry(step: StepEntry) -> JournalEntry:
    return JournalEntry(step.key, step.state, step.fields)


class Journal:
    """The station's enrollment journal (hardware/step_journal.py with the states above); holds an
    exclusive lock while open. Use `Journal.open(path)`."""

    def __init__(self, steps: StepJournal) -> None:
        self._steps, self.path = steps, steps.path

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Journal:
        """Open (creating) the journal at `path`, dropping a torn last line.

        Raises StationError when another process holds it or a complete line is corrupt.
        """
        return cls(StepJournal.open(path, RULES))

    def record(self, enrollment_id: str, state: str, **fields: object) -> JournalEntry:
        """Durably record that `enrollment_id` reached `state` (fsynced before returning).

        Raises StationError for an unknown state or a transition the protocol does not allow.
        """
        return _entry(self._steps.record(enrollment_id, state, **fields))

    def get(self, enrollment_id: str) -> JournalEntry | None:
        """The latest entry of one enrollment, or None."""
        step = self._steps.get(enrollment_id)
        return None if step is None else _entry(step)

    def pending(self) -> list[JournalEntry]:
        """Unfinished enrollments, oldest first (what recovery must resolve)."""
        return [_entry(step) for step in self._steps.pending()]

    def compact(self) -> int:
        """Rewrite the file with only the unfinished entries (atomically); returns how many were dropped."""
        return self._steps.compact()

    def close(self) -> None:
        """Release the lock (idempotent)."""
        self._steps.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
