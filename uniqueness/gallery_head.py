"""Rollback protection: a signed head over the gallery's record ids, anchored to the chain.

The encrypted store (enrollment/gallery/encrypted_store.py) authenticates each record and commit
slot, but an attacker at the disk can still flip a byte in the newest commit slot (the older slot
then wins and the newest records vanish) or copy an old store file back. Both reopen cleanly with
fewer records. Two anchors catch that:

1. The head: {seq, records, ids_digest, committed, baseline, registry, last_commit, deleted}, signed by the
   service's key and rewritten atomically after every gallery change. `ids_digest` is a multiset hash of the
   record ids (the sum of SHA-256(id) mod 2^256; Clarke et al., "Incremental multiset hash
   functions", ASIACRYPT 2003), updated in O(1) per change. At open the gallery's ids must give the
   head's digest (up to the one change the reservation journal shows in flight).
2. The chain: every leaf enrolled since the service started (`baseline` leaves were there before)
   came through a reservation, so `registry leaves <= baseline + committed + open reservations`.
   Copying back an old gallery *and* its old head (both validly signed) breaks this, because the
   chain cannot be rolled back from the disk.

While either check fails the service refuses to serve (GalleryRollbackError).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from hardware import DeviceKey, SignatureError
from hardware.atomic_file import write_private_file
from hardware.signed_json import canonical_json, parse_json_object, sign_document, verify_document

from .errors import GalleryRollbackError

HEAD_KIND = "personhood.uniqueness-head/1"
HEAD_FILE = "gallery.head"  # beside the service's per-eye gallery directories
DIGEST_MODULUS = 2**256
MAX_IN_FLIGHT = 8  # changes the journal may show half done (one per crash; more means tampering)


def id_hash(record_id: int) -> int:
    """One record id's term of the multiset digest."""
    return int.from_bytes(hashlib.sha256(b"personhood/record/" + record_id.to_bytes(8, "little")).digest())


def ids_digest(record_ids: Iterable[int]) -> int:
    """The multiset digest of `record_ids` (order-free; add or remove one id in O(1))."""
    return sum(id_hash(r) for r in record_ids) % DIGEST_MODULUS


@dataclass(frozen=True)
class GalleryHead:
    """What the service signs after each change (no template bits: counts and a digest of ids)."""

    seq: int
    records: int
    ids_digest: str  # 64 hex
    committed: int
    baseline: int  # registry leaves when the service was initialized
    registry: str
    last_commit: str = ""  # the reservation the last commit counted (a crash before its journal line
    # must not count it twice)
    deleted: int = 0  # records the operator erased (deletions.py): the deletions journal must show them

    def changed(
        self,
        *,
        added: int | None = None,
        removed: int | None = None,
        committed: str | None = None,
        erased: bool = False,
    ) -> GalleryHead:
        """The next head after adding and/or removing one record id, or committing reservation
        `committed`; `erased` counts the removal as an operator's deletion."""
        digest = int(self.ids_digest, 16)
        records = self.records
        if added is not None:
            digest, records = (digest + id_hash(added)) % DIGEST_MODULUS, records + 1
        if removed is not None:
            digest, records = (digest - id_hash(removed)) % DIGEST_MODULUS, records - 1
        return GalleryHead(
            self.seq + 1,
            records,
            f"{digest:064x}",
            self.committed + (committed is not None),
            self.baseline,
            self.registry,
            committed if committed is not None else self.last_commit,
            self.deleted + erased,
        )


def is_service_gallery(directory: Path) -> bool:
    """True when `directory` is one eye's gallery of a uniqueness service (its parent holds the head):
    such a gallery changes only through the service, or its head and journals stop matching it."""
    return (Path(directory).resolve().parent / HEAD_FILE).exists()


def genesis(baseline: int, registry: str) -> GalleryHead:
    """The head of an empty gallery for `registry`, which already holds `baseline` leaves."""
    return GalleryHead(0, 0, f"{0:064x}", 0, baseline, registry)


def write_head(path: Path, key: DeviceKey, head: GalleryHead) -> None:
    """Sign and atomically write `head`."""
    write_private_file(path, canonical_json(sign_document(key, {"kind": HEAD_KIND, **asdict(head)})) + b"\n")


def read_head(path: Path, service: str) -> GalleryHead | None:
    """The head at `path` signed by `service`, or None when there is no file; GalleryRollbackError when
    it is not a head, or is not signed by this service."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = parse_json_object(data.strip())
        verify_document(doc, expected_device=service)
        if doc.pop("kind") != HEAD_KIND:
            raise ValueError("not a gallery head")
        doc.pop("sig"), doc.pop("device")
        return GalleryHead(**doc)
    except (ValueError, TypeError, SignatureError) as e:
        raise GalleryRollbackError(f"the gallery head {path} does not verify ({e}); restore it") from e


def check_gallery(head: GalleryHead, record_ids: set[int], in_flight: Iterable[int]) -> None:
    """The gallery's ids must be the head's, each in-flight change either done or not; else refuse."""
    moving = sorted(set(in_flight))
    if len(moving) > MAX_IN_FLIGHT:
        raise GalleryRollbackError(f"{len(moving)} gallery changes in flight: the journal was tampered with")
    settled = record_ids - set(moving)
    base = ids_digest(settled)
    want = int(head.ids_digest, 16)
    for n in range(len(moving) + 1):
        for subset in itertools.combinations(moving, n):  # the in-flight ids the head already counts
            if (base + sum(id_hash(r) for r in subset)) % DIGEST_MODULUS == want:
                return
    raise GalleryRollbackError(
        f"the gallery holds {len(record_ids)} records but its signed head (seq {head.seq}) names "
        f"{head.records}: records were lost, rolled back or altered; restore the newest gallery files"
    )


def check_chain(head: GalleryHead, open_reservations: int, chain_leaves: int) -> None:
    """Every leaf since `baseline` has a committed or open reservation; else the gallery was rolled back."""
    covered = head.baseline + head.committed + open_reservations
    if chain_leaves > covered:
        raise GalleryRollbackError(
            f"the registry holds {chain_leaves} leaves but this gallery accounts for only {covered} "
            f"({head.baseline} before it, {head.committed} committed, {open_reservations} open): "
            "it was rolled back to an older state; restore the newest gallery files"
        )
