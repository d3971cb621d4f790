"""Crash recovery: resolve the journal's unfinished enrollments against the chain.

    intent / gallery   nothing was signed for the chain yet   → delete the gallery record, abort
    sending            the attestation may have been relayed  → leaf on chain by this device: commit;
                                                                 deadline passed (or the commitment
                                                                 taken by another device): undo;
                                                                 otherwise wait (still pending)
    chain              the leaf is on chain                    → commit

Undo deletes the gallery record (and the manifest); commit writes `enrollment.recovered` to the
audit log. After recovery the journal is compacted: finished entries are dropped.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from .journal import JournalEntry

if TYPE_CHECKING:
    from .station import Station

logger = logging.getLogger(__name__)


def recover(station: Station) -> list[tuple[str, str]]:
    """Resolve every unfinished entry; returns (enrollment id, "committed" | "aborted" | "pending")."""
    actions = [(entry.enrollment_id, _resolve(station, entry)) for entry in station.journal.pending()]
    station.journal.compact()
    for enrollment_id, action in actions:
        logger.info("recovery: enrollment %s %s", enrollment_id, action)
    return actions


def _resolve(station: Station, entry: JournalEntry) -> str:
    commitment = int(str(entry.fields["commitment"]))
    if entry.state in ("intent", "gallery"):
        return _undo(station, entry, "crashed before the attestation was sent")
    if entry.state == "chain":
        return _commit(station, entry, int(entry.fields["leaf_index"]))  # type: ignore[call-overload]
    record = station.chain.member(commitment)  # state "sending"
    if record.enrolled and record.device == station.key.address:
        station.journal.record(entry.enrollment_id, "chain", leaf_index=record.index, tx_hash=None)
        return _commit(station, entry, record.index)
    if record.enrolled:
        return _undo(station, entry, "the commitment was enrolled by another device")
    if station.chain.now() > int(entry.fields["deadline"]):  # type: ignore[call-overload]
        return _undo(station, entry, "the attestation expired unused")
    return "pending"


def _undo(station: Station, entry: JournalEntry, why: str) -> str:
    station.gallery.delete([int(entry.fields["record_id"])])  # type: ignore[call-overload]
    station.manifest_path(entry.enrollment_id).unlink(missing_ok=True)
    station.log_event("enrollment.rolled_back", {"enrollment_id": entry.enrollment_id, "reason": why})
    station.journal.record(entry.enrollment_id, "aborted", reason=why)
    return "aborted"


def _commit(station: Station, entry: JournalEntry, leaf_index: int) -> str:
    path = station.manifest_path(entry.enrollment_id)
    manifest_sha256 = (
        hashlib.sha256(path.read_bytes().rstrip(b"\n")).hexdigest() if path.is_file() else "missing"
    )
    station.log_event(
        "enrollment.recovered",
        {"enrollment_id": entry.enrollment_id, "leaf_index": leaf_index, "manifest_sha256": manifest_sha256},
    )
    station.journal.record(entry.enrollment_id, "committed")
    return "committed"
