"""The uniqueness service's core: one deployment gallery, search-and-reserve, commit, release, settle.

    reserve  search the stored eyes at the threshold for the gallery's size (the first eye over the
             whole gallery, the second only among its matches: probe_search.py); if no enrolled or
             reserved person matches on all eyes, add the probe as a reserved record (atomic: one
             lock around search and add, so two stations presenting the same eyes at once get one
             "unique" and one "duplicate"; a reserved record counts as enrolled for searches)
    commit   the leaf landed: the chain must show the commitment enrolled by the reserving station
    release  the enrollment will not land: the record leaves the gallery (refused as a commit
             instead when the chain shows the leaf: no leaf may lose its template)
    settle   past its deadline, a reservation is committed if its leaf is on chain, else released
    delete   the operator erases a record (right to erasure, mistaken enrollment): deletions.py

Writes follow the reservation journal (reservations.py) and are anchored by the signed head
(gallery_head.py), so a crash at any point leaves a state `open` can finish or undo, and a
rolled-back gallery is refused. The decision itself (decision_rule.py) is pure; this class only
orders the I/O around it. Every decision is audit-logged (ids, distances, station; never bits).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from enrollment.gallery import Gallery
from enrollment.iris.template import IrisTemplate
from hardware import AuditLog, DeviceKey

from .decision_rule import PairDecision, choose_threshold, decide_pair
from .deletions import DeletionJournal
from .errors import GalleryRollbackError, RequestRefusedError, ReservationError, UnknownRecordError
from .gallery_head import (
    DIGEST_MODULUS,
    HEAD_FILE,
    GalleryHead,
    check_chain,
    check_gallery,
    genesis,
    ids_digest,
    read_head,
    write_head,
)
from .probe_search import search_cascade
from .registry_view import RegistryView
from .reservations import IN_FLIGHT, Reservation, ReservationJournal, reservation_key
from .service_params import Decision, ServiceParams

logger = logging.getLogger(__name__)

MAX_RESERVATION_S = 86_400  # a reservation's deadline is at most a day ahead of the chain's clock
MAX_RECORD_ID = 2**63 - 1
Checkpoint = Callable[[str], None]


def _start_ray_for(params: ServiceParams) -> bool:
    """With engine "ray" and no Ray joined yet: start a local one with a slot for every shard actor
    of every eye (RayGallery alone would size it for one eye's shards); True when started here."""
    if params.engine != "ray":
        return False
    from enrollment.gallery.ray_cluster import require_ray, start_local_ray

    if require_ray().is_initialized():
        return False
    start_local_ray(num_cpus=params.shards * len(params.eyes))
    return True


def _stop_ray(started: bool) -> None:
    if started:
        import ray

        ray.shutdown()


def _no_checkpoint(name: str) -> None:
    """Production does nothing here; tests raise to simulate the service dying at this point."""


class UniquenessService:
    """Holds the deployment's gallery (one per stored eye) behind one lock. Use `open`, then `close`."""

    def __init__(
        self,
        directory: Path,
        key: DeviceKey,
        registry: RegistryView,
        params: ServiceParams,
        galleries: dict[str, Gallery],
        journal: ReservationJournal,
        deletions: DeletionJournal,
        audit: AuditLog,
        checkpoint: Checkpoint,
    ) -> None:
        self.directory, self.key, self.registry, self.params = directory, key, registry, params
        self.galleries, self.journal, self.deletions, self.audit = galleries, journal, deletions, audit
        self._checkpoint = checkpoint
        self._lock = threading.Lock()
        self._head_path = directory / HEAD_FILE
        self.head: GalleryHead = genesis(0, registry.address)
        self._started_ray = False

    @classmethod
    def open(
        cls,
        directory: Path,
        key: DeviceKey,
        registry: RegistryView,
        params: ServiceParams | None = None,
        *,
        checkpoint: Checkpoint = _no_checkpoint,
    ) -> UniquenessService:
        """Open (creating on first use) the service's stores under `directory`, recover, check rollback.

        Raises GalleryRollbackError when the gallery disagrees with its signed head or the chain.
        """
        params = params or ServiceParams()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        galleries: dict[str, Gallery] = {}
        journal = deletions = audit = None
        started_ray = _start_ray_for(params)
        try:
            for eye in params.eyes:
                galleries[eye] = Gallery.connect(
                    params.engine,
                    directory=directory / f"gallery-{eye}",
                    key=key.gallery_key(),
                    shards=params.shards,
                    kernel=params.kernel,
                )
            journal = ReservationJournal.open(directory / "reservations.jsonl")
            deletions = DeletionJournal.open(directory / "deletions.jsonl")
            audit = AuditLog.open(directory / "audit.log", key)
            service = cls(directory, key, registry, params, galleries, journal, deletions, audit, checkpoint)
            service._started_ray = started_ray
            service._recover()
        except BaseException:
            for gallery in reversed(galleries.values()):
                gallery.close()
            if journal is not None:
                journal.close()
            if deletions is not None:
                deletions.close()
            if audit is not None:
                audit.close()
            _stop_ray(started_ray)
            raise
        return service

    # ----- opening: recovery and rollback checks ------------------------------------------------
    def _recover(self) -> None:
        head = read_head(self._head_path, self.key.address)
        ids = {eye: set(g.record_ids()) for eye, g in self.galleries.items()}
        everything = set().union(*ids.values())
        in_flight = [r for r in self.journal.open_reservations() if r.state in IN_FLIGHT]
        erasing, erased = self.deletions.in_flight(), self.deletions.deleted()
        if head is None:
            if everything or self.journal.open_reservations() or erased or erasing:
                raise GalleryRollbackError("the gallery has records but no signed head: restore gallery.head")
            head = genesis(self.registry.leaves(), self.registry.address)
            write_head(self._head_path, self.key, head)
            self.audit.append("uniqueness.initialized", {"baseline_leaves": head.baseline})
        if head.registry.lower() != self.registry.address.lower():
            raise GalleryRollbackError(
                f"this gallery belongs to registry {head.registry}, not {self.registry.address}"
            )
        if everything & erased:
            raise GalleryRollbackError(
                f"{len(everything & erased)} record(s) the operator erased are back in the gallery: "
                "an old gallery was copied back; restore the newest gallery files"
            )
        if not len(erased) <= head.deleted <= len(erased) + len(erasing):
            raise GalleryRollbackError(
                f"the signed head counts {head.deleted} erased records, the deletions journal "
                f"{len(erased)} (+{len(erasing)} in flight): restore the newest deletions.jsonl"
            )
        for eye_ids in ids.values():  # each eye on its own: one rolled-back file is enough to refuse
            check_gallery(head, eye_ids, [r.record_id for r in in_flight] + erasing)
        moving = {r.record_id for r in in_flight} | set(erasing)
        if any((s - moving) != (everything - moving) for s in ids.values()):
            raise GalleryRollbackError("the eyes' galleries hold different records: restore the newest files")
        self.head = head
        counted = self.journal.get(head.last_commit) if head.last_commit else None
        if counted is not None and counted.state == "reserved":  # died between head and journal line
            self.journal.record(counted.key, "committed")
        if in_flight or erasing:  # changes half done when the service died: finish or undo, re-sign
            for reservation in in_flight:
                self._drop(reservation, "the service stopped while the gallery was changing")
            for gallery in self.galleries.values():
                gallery.delete(erasing)
            remaining = set().union(*(set(g.record_ids()) for g in self.galleries.values()))
            digest = f"{ids_digest(remaining):064x}"
            self._write_head(
                replace(
                    self.head,
                    seq=self.head.seq + 1,
                    records=len(remaining),
                    ids_digest=digest,
                    deleted=len(erased) + len(erasing),
                )
            )
            for record_id in erasing:
                self.deletions.finish(record_id)
                self.audit.append("uniqueness.deleted", {"record_id": record_id, "by": "recovery"})
        self.journal.compact()
        check_chain(self.head, len(self.journal.open_reservations()), self.registry.leaves())

    # ----- the operations -----------------------------------------------------------------------
    def reserve(
        self,
        station: str,
        reservation: str,
        probe: Mapping[str, IrisTemplate],
        commitment: int,
        deadline: int,
    ) -> Decision:
        """Search-and-reserve for an authenticated station (see module docstring)."""
        if tuple(probe) != self.params.eyes:
            raise RequestRefusedError(f"this deployment stores the eyes {self.params.eyes}", "bad_probe")
        key = reservation_key(station, reservation)
        with self._lock:
            now = self._settle_locked()
            if not now < deadline <= now + MAX_RESERVATION_S:
                raise RequestRefusedError(
                    f"the deadline must lie within {MAX_RESERVATION_S} s after the chain's time {now}",
                    "bad_deadline",
                )
            if self.journal.get(key) is not None:
                raise ReservationError(
                    "this reservation id is already in use by this station", "reservation_exists"
                )
            check_chain(self.head, len(self.journal.open_reservations()), self.registry.leaves())
            choice = choose_threshold(
                self.head.records, len(self.params.eyes), self.params.max_false_duplicates
            )
            results = search_cascade(self.galleries, probe, choice.threshold)
            decision = decide_pair(results, choice)
            if decision.duplicate:
                self._audit_duplicate(station, reservation, decision)
                return Decision(
                    "reserve", "duplicate", station, reservation, None, decision.searched, choice.threshold
                )
            record_id = self._new_record_id()
            while self.deletions.known(record_id):  # an erased id is never reused (rollback check)
                record_id = self._new_record_id()
            self.journal.record(
                key,
                "reserving",
                record_id=record_id,
                station=station,
                commitment=str(commitment),
                deadline=deadline,
            )
            self._checkpoint("reserving")
            for eye, template in probe.items():
                self.galleries[eye].add(record_id, template)
            self._checkpoint("gallery")
            self._write_head(self.head.changed(added=record_id))
            self._checkpoint("head")
            self.journal.record(key, "reserved")
            self.audit.append(
                "uniqueness.reserved",
                {
                    "station": station,
                    "reservation": reservation,
                    "record_id": record_id,
                    "searched": decision.searched,
                    "threshold": round(choice.threshold, 4),
                    "partial_matches": decision.partial,
                    "closest": round(decision.evidence[0].distance, 4) if decision.evidence else None,
                },
            )
            return Decision(
                "reserve", "unique", station, reservation, deadline, decision.searched, choice.threshold
            )

    def commit(self, station: str, reservation: str) -> Decision:
        """The station's leaf landed: keep the record for good. ReservationError when it did not."""
        with self._lock:
            entry = self._owned(station, reservation)
            if not self._landed(entry):
                raise ReservationError("the registry shows no leaf for this reservation yet", "not_on_chain")
            self._commit(entry, "station")
            return Decision("commit", "committed", station, reservation)

    def release(self, station: str, reservation: str) -> Decision:
        """The enrollment will not land: drop the record (committed instead if the leaf is on chain)."""
        with self._lock:
            entry = self._owned(station, reservation)
            if self._landed(entry):
                self._commit(entry, "release asked, but the leaf is on chain")
                return Decision("release", "committed", station, reservation)
            self._drop(entry, "released by the station")
            return Decision("release", "released", station, reservation)

    def settle(self) -> int:
        """Resolve every reservation whose deadline passed; returns the chain time used."""
        with self._lock:
            return self._settle_locked(fresh=True)

    def import_committed(
        self, record_ids: np.ndarray, codes: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray]
    ) -> None:
        """Add people enrolled before this service existed (e.g. a station's old gallery, or a
        benchmark's synthetic population) as committed records: ids int64[k], per-eye uint64[k, 256].

        Not crash-atomic across eyes: run it on a stopped deployment and re-run from scratch if it
        fails (the head is re-signed only at the end, so a half import is refused at the next open)."""
        with self._lock:
            if tuple(codes) != self.params.eyes or tuple(masks) != self.params.eyes:
                raise RequestRefusedError(f"an import holds the eyes {self.params.eyes}", "bad_probe")
            for eye in self.params.eyes:
                self.galleries[eye].add_many(record_ids, codes[eye], masks[eye])
            digest = (int(self.head.ids_digest, 16) + ids_digest(int(r) for r in record_ids)) % DIGEST_MODULUS
            h = self.head
            self._write_head(
                replace(
                    h,
                    seq=h.seq + 1,
                    records=h.records + len(record_ids),
                    ids_digest=f"{digest:064x}",
                    committed=h.committed + len(record_ids),
                )
            )
            self.audit.append("uniqueness.imported", {"records": len(record_ids)})

    def delete(self, operator: str, record_id: int, reason: str, time: int) -> None:
        """Erase one record from every eye's gallery for the operator (the caller checked who signed).

        Journaled before the galleries change and re-signed in the head after, so a crash part-way
        is finished at the next open. UnknownRecordError when no such record exists; ReservationError
        ("reservation_open") while a reservation holds it: wait for its commit, release or deadline.
        The person's leaf, if any, stays on chain: revoke it there if it must go too."""
        with self._lock:
            if any(r.record_id == record_id for r in self.journal.open_reservations()):
                raise ReservationError(
                    "this record is held by an open reservation: delete it once that is committed, "
                    "released or past its deadline",
                    "reservation_open",
                )
            first = self.galleries[self.params.eyes[0]]
            if not first.enrolled_among([record_id]):
                raise UnknownRecordError(f"no record {record_id} in the gallery (never enrolled, or erased)")
            self.deletions.begin(record_id, operator, reason, time)
            self._checkpoint("deleting")
            for gallery in self.galleries.values():
                gallery.delete([record_id])
            self._checkpoint("erased")
            self._write_head(self.head.changed(removed=record_id, erased=True))
            self._checkpoint("erased_head")
            self.deletions.finish(record_id)
            self.audit.append(
                "uniqueness.deleted", {"record_id": record_id, "operator": operator, "reason": reason}
            )

    def log_refusal(self, station: str, op: str, code: str) -> None:
        """Audit-log a refused request of an identified station (never its probe)."""
        with self._lock:
            self.audit.append("uniqueness.refused", {"station": station, "op": op, "error": code})

    def size(self) -> int:
        """Records in the gallery (committed and reserved)."""
        return self.head.records

    def health(self) -> dict[str, object]:
        """Counts and configuration (no ids, no bits)."""
        return {
            "service": self.key.address,
            "registry": self.registry.address,
            "eyes": list(self.params.eyes),
            "engine": self.params.engine,
            "records": self.head.records,
            "committed": self.head.committed,
            "open_reservations": len(self.journal.open_reservations()),
        }

    def close(self) -> None:
        """Close the galleries, journal and audit log (the key belongs to the caller)."""
        for gallery in reversed(self.galleries.values()):
            gallery.close()
        self.journal.close()
        self.deletions.close()
        self.audit.close()
        _stop_ray(self._started_ray)
        self._started_ray = False

    # ----- internals (called with the lock held) -------------------------------------------------
    def _settle_locked(self, fresh: bool = False) -> int:
        now = self.registry.now(fresh)
        for entry in self.journal.open_reservations():
            if entry.state == "reserved" and now > entry.deadline:
                if self._landed(entry):
                    self._commit(entry, "deadline passed, leaf on chain")
                else:
                    self._drop(entry, "deadline passed without a leaf")
        self.journal.compact()
        return now

    def _owned(self, station: str, reservation: str) -> Reservation:
        entry = self.journal.get(reservation_key(station, reservation))
        if entry is None or entry.state != "reserved":
            raise ReservationError("no open reservation by this station under that id")
        return entry

    def _landed(self, entry: Reservation) -> bool:
        record = self.registry.member(entry.commitment)
        return record.enrolled and record.device.lower() == entry.station.lower()

    def _commit(self, entry: Reservation, why: str) -> None:
        self._write_head(self.head.changed(committed=entry.key))  # counted once, even if we die next
        self._checkpoint("commit")
        self.journal.record(entry.key, "committed")
        self.audit.append(
            "uniqueness.committed",
            {
                "station": entry.station,
                "reservation": entry.key.split(":")[1],
                "record_id": entry.record_id,
                "by": why,
            },
        )

    def _drop(self, entry: Reservation, why: str) -> None:
        recovering = entry.state in IN_FLIGHT  # recovery re-signs the head itself afterwards
        if entry.state == "reserved":
            self.journal.record(entry.key, "releasing")
            self._checkpoint("releasing")
        for gallery in self.galleries.values():
            gallery.delete([entry.record_id])
        self._checkpoint("deleted")
        if not recovering:
            self._write_head(self.head.changed(removed=entry.record_id))
        self.journal.record(entry.key, "released")
        self.audit.append(
            "uniqueness.released",
            {
                "station": entry.station,
                "reservation": entry.key.split(":")[1],
                "record_id": entry.record_id,
                "reason": why,
            },
        )

    def _audit_duplicate(self, station: str, reservation: str, decision: PairDecision) -> None:
        self.audit.append(
            "uniqueness.duplicate",
            {
                "station": station,
                "reservation": reservation,
                "matched_record": decision.record_id,
                "distances": {m.eye.lower(): round(m.distance, 4) for m in decision.evidence},
                "threshold": round(decision.threshold, 4),
                "searched": decision.searched,
            },
        )

    def _write_head(self, head: GalleryHead) -> None:
        write_head(self._head_path, self.key, head)
        self.head = head

    @staticmethod
    def _new_record_id() -> int:
        # random 63-bit ids: a clash among a billion records has probability ~5e-2 / 1e9 per add, and
        # the gallery refuses it (DuplicateRecordError) before anything is written
        return secrets.randbelow(MAX_RECORD_ID)
