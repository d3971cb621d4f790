"""Erasing a record from the deployment's gallery: the operator's signed request and the deletions journal.

Why: a person's right to erasure, or an enrollment made by mistake. Only the service's operator may
ask (an address the service is started with, `--operator`; never a station: stations only reserve,
commit and release their own reservations). The request is a signed document:

    {"kind": DELETE_KIND, "service": <service address>, "record_id": "<decimal>",
     "reason": <short text, no personal data>, "nonce": <32 hex>, "time": <unix s>,
     "device": <operator address>, "sig": <signature>}

The deletions journal is append-only (never compacted) and fsynced before each step:

    deleting (record id, operator, reason, time)   before the templates leave the galleries
    deleted                                        the templates are gone and the head is re-signed

It lets recovery finish a deletion cut short by a crash (a half-done deletion is not a rollback),
and it is the lasting record of which ids were erased: the signed head counts the deletions, so a
truncated journal is refused, and a deleted id found back in the gallery (an old file copied back
with its old head) is refused as a rollback. It holds ids and the operator's words, never bits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hardware import DeviceKey, SignatureError
from hardware.signed_json import sign_document, verify_document
from hardware.step_journal import JournalRules, StepJournal

from .errors import RequestRefusedError
from .reservations import JournalError

DELETE_KIND = "personhood.uniqueness-delete/1"
DELETE_FIELDS = frozenset({"kind", "service", "record_id", "reason", "nonce", "time", "device", "sig"})
MAX_REASON_CHARS = 200
MAX_RECORD_ID = 2**63 - 1
HEX32 = re.compile(r"^[0-9a-f]{32}$")
STATES = ("deleting", "deleted")

RULES = JournalRules(
    what="deletions journal",
    key_field="record_id",
    states=STATES,
    first="deleting",
    next={"deleting": frozenset({"deleted"})},
    final=frozenset({"deleted"}),
    error=JournalError,
    holder="another service process",
)


@dataclass(frozen=True)
class DeleteRequest:
    """An operator's deletion request whose signature checked out; `station` is the signer (the name
    the replay guard keys nonces by)."""

    station: str
    record_id: int
    reason: str
    nonce: str
    time: int


def sign_delete(key: DeviceKey, service: str, record_id: int, reason: str, nonce: str, time: int) -> dict:
    """The operator's signed request to erase `record_id` from `service`'s gallery."""
    body = {"service": service, "record_id": str(record_id), "reason": reason, "nonce": nonce, "time": time}
    return sign_document(key, {"kind": DELETE_KIND, **body})


def parse_delete(doc: object, service: str) -> DeleteRequest:
    """Structure and signature of a deletion request to `service`; RequestRefusedError otherwise.

    Who signed it is checked by the caller (it must be the operator)."""
    if not isinstance(doc, dict) or doc.get("kind") != DELETE_KIND or set(doc) != DELETE_FIELDS:
        raise RequestRefusedError(
            f"a deletion request is a {DELETE_KIND} with exactly {sorted(DELETE_FIELDS)}"
        )
    if str(doc["service"]).lower() != service.lower():
        raise RequestRefusedError("the request is addressed to another uniqueness service", "wrong_service")
    record_id, reason, nonce, time = doc["record_id"], doc["reason"], doc["nonce"], doc["time"]
    if not isinstance(record_id, str) or not record_id.isdigit() or int(record_id) > MAX_RECORD_ID:
        raise RequestRefusedError("`record_id` must be a decimal integer in 0..2**63-1")
    if not isinstance(reason, str) or not 0 < len(reason) <= MAX_REASON_CHARS or not reason.isprintable():
        raise RequestRefusedError(f"`reason` must be 1..{MAX_REASON_CHARS} printable characters")
    if not isinstance(nonce, str) or not HEX32.match(nonce):
        raise RequestRefusedError("`nonce` must be 32 lower-case hex characters")
    if isinstance(time, bool) or not isinstance(time, int) or not 0 <= time < 2**63:
        raise RequestRefusedError("`time` must be a unix time in seconds")
    try:
        signer = verify_document(doc)
    except (SignatureError, ValueError) as e:
        raise RequestRefusedError(f"the request's signature does not verify: {e}", "bad_signature") from e
    return DeleteRequest(signer, int(record_id), reason, nonce, time)


class DeletionJournal:
    """The append-only deletions journal (see module docstring); exclusively locked while open."""

    def __init__(self, steps: StepJournal) -> None:
        self._steps, self.path = steps, steps.path

    @classmethod
    def open(cls, path: Path) -> DeletionJournal:
        """Open (creating) the journal; drops a torn last line; JournalError when locked or corrupt."""
        return cls(StepJournal.open(path, RULES))

    def begin(self, record_id: int, operator: str, reason: str, time: int) -> None:
        """Durably record that `record_id` is about to be erased (JournalError if it was before)."""
        self._steps.record(str(record_id), "deleting", operator=operator, reason=reason, time=time)

    def finish(self, record_id: int) -> None:
        """Durably record that `record_id` is erased and the head re-signed."""
        self._steps.record(str(record_id), "deleted")

    def in_flight(self) -> list[int]:
        """Record ids whose deletion began but did not finish (recovery completes them)."""
        return [int(e.key) for e in self._steps.pending()]

    def deleted(self) -> set[int]:
        """Every record id whose deletion finished."""
        return {int(e.key) for e in self._steps.entries() if e.state == "deleted"}

    def known(self, record_id: int) -> bool:
        """True when a deletion of `record_id` was ever begun."""
        return self._steps.get(str(record_id)) is not None

    def close(self) -> None:
        """Release the lock (idempotent)."""
        self._steps.close()
