"""The service's write-ahead journal of reservations: what recovery needs to finish or undo each one.

    reserving (record id, station, commitment, deadline)   before the templates go into the gallery
    reserved                                                the templates are in, the head is signed
    releasing                                               before the templates leave the gallery
    committed / released                                    final

One JSON line per step, fsynced before the step runs; a torn last line announces a step that never
ran and is dropped. While a reservation is open its line links a gallery record id to an identity
commitment (the service must check the chain for that commitment when the deadline passes);
`compact` drops finished reservations, so the link does not outlive the enrollment, as the
station's own journal does (enrollment/station/journal.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hardware.step_journal import JournalRules, StepEntry, StepJournal

from .errors import UniquenessError

STATES = ("reserving", "reserved", "releasing", "committed", "released")
FINAL = frozenset({"committed", "released"})
IN_FLIGHT = frozenset({"reserving", "releasing"})  # a gallery change may be half done
NEXT = {
    "reserving": frozenset({"reserved", "released"}),
    "reserved": frozenset({"committed", "releasing"}),
    "releasing": frozenset({"released"}),
}


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


RULES = JournalRules(
    what="reservation journal",
    key_field="key",
    states=STATES,
    first="reserving",
    next=NEXT,
    final=FINAL,
    error=JournalError,
    holder="another service process",
)


def reservation_key(station: str, reservation: str) -> str:
    """Reservations are named by the station that made them: ids only need to be unique per station."""
    return f"{station.lower()}:{reservation}"


class ReservationJournal:
    """The service's reservation journal (hardware/step_journal.py with the states above); exclusively
    locked while open. Use `ReservationJournal.open(path)`."""

    def __init__(self, steps: StepJournal) -> None:
        self._steps, self.path = steps, steps.path

    @classmethod
    def open(cls, path: Path) -> ReservationJournal:
        """Open (creating) the journal; drops a torn last line; JournalError when locked or corrupt."""
        return cls(StepJournal.open(path, RULES))

    def record(self, key: str, state: str, **fields: object) -> Reservation:
        """Durably record that reservation `key` reached `state` (fsynced before returning)."""
        return _reservation(self._steps.record(key, state, **fields))

    def get(self, key: str) -> Reservation | None:
        """The latest state of reservation `key`, or None (never made, or finished and compacted)."""
        step = self._steps.get(key)
        return None if step is None else _reservation(step)

    def open_reservations(self) -> list[Reservation]:
        """Unfinished reservations, oldest first."""
        return [_reservation(step) for step in self._steps.pending()]

    def compact(self) -> None:
        """Rewrite the file with only unfinished reservations (atomic rename); keeps the lock."""
        self._steps.compact()

    def close(self) -> None:
        """Release the lock (idempotent)."""
        self._steps.close()


def _reservation(step: StepEntry) -> Reservation:
    return Reservation(step.key, step.state, step.fields)
