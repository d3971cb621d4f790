"""Crash recovery: resolve the journal's unfinished enrollments against the chain.

    intent / gallery   nothing was signed for the chain yet   → release the reservation, abort
    sending            the attestation may have been relayed  → leaf on chain by this device: commit;
                                                                 deadline passed (or the commitment
                                                                 taken by another device): undo;
                                                                 otherwise wait (still pending)
    chain              the leaf is on chain                    → commit

Undo releases the reservation at the uniqueness service (and deletes the manifest); commit tells
the service the leaf landed and writes `enrollment.recovered` to the audit log. A reservation the
service no longer holds (never made, or settled by the service at its deadline) is fine either way.
After recovery the journal is compacted: finished entries are dropped.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING

from .journal import JournalEntry
from .uniqueness_port import UniquenessRefusedError

if TYPE_CHECKING:
    from .flow import Station

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


def _settle_reservation(station: Station, entry: JournalEntry, op: str) -> None:
    reservation = entry.fields.get("reservation")
    if not isinstance(reservation, str):
        return  # journaled before the station used a uniqueness service: nothing to tell it
    try:
        getattr(station.uniqueness, op)(reservation)
    except UniquenessRefusedError as e:
        if e.code not in ("unknown_reservation", "not_on_chain"):
            raise
        logger.info("recovery: reservation of %s already settled at the service", entry.enrollment_id)


def _undo(station: Station, entry: JournalEntry, why: str) -> str:
    _settle_reservation(station, entry, "release")
    station.manifest_path(entry.enrollment_id).unlink(missing_ok=True)
    station.log_event("enrollment.rolled_back", {"enrollment_id": entry.enrollment_id, "reason": why})
    station.journal.record(entry.enrollment_id, "aborted", reason=why)
    return "aborted"


def _commit(station: Station, entry: JournalEntry, leaf_index: int) -> str:
    _settle_reservation(station, entry, "commit")
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
