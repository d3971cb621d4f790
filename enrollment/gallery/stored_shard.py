"""A gallery shard with its encrypted store: the I/O adapter around `GalleryShard`.

Every change reaches the disk before memory: a record is appended (and fsynced) before it becomes
searchable, and a deletion rewrites the store before the row leaves memory. If the disk write
raises, memory is unchanged.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from enrollment.iris.template import IrisTemplate

from .encrypted_store import READ_CHUNK_RECORDS, EncryptedStore
from .errors import DuplicateRecordError, GalleryInputError, StoreCorruptError
from .results import SearchResult
from .shard import GalleryShard, check_record_id, check_template

logger = logging.getLogger(__name__)


class StoredShard:
    """One shard: in memory for search, on disk (encrypted) when `path` is given, else memory only."""

    def __init__(self, path: str | os.PathLike[str] | None, key: bytes | None, kernel: str = "fused") -> None:
        self.shard = GalleryShard(kernel=kernel)
        self.store: EncryptedStore | None = None
        if path is not None:
            if key is None:
                raise GalleryInputError("a stored shard needs the station key")
            self.store = EncryptedStore.open(Path(path), key)
            try:
                for ids, codes, masks in self.store.read_chunks():
                    try:
                        self.shard.extend(ids, codes, masks)
                    except (DuplicateRecordError, GalleryInputError) as e:
                        raise StoreCorruptError(path, f"bad record in the store: {e}") from e
            except BaseException:
                self.store.close()
                raise
            logger.info("gallery shard loaded: %d records from %s", len(self.shard), path)

    def __len__(self) -> int:
        return len(self.shard)

    def add(self, record_id: int, template: IrisTemplate) -> None:
        """Enroll one record durably; raises before changing anything on bad input or a duplicate id."""
        record_id = check_record_id(record_id)
        template = check_template(template)
        self.add_many(np.array([record_id], dtype=np.int64), template.code[None, :], template.mask[None, :])

    def add_many(self, record_ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        """Enroll a batch (ids int64[k], codes/masks uint64[k, 256]): all or nothing, one fsync pair."""
        probe = GalleryShard(kernel="numpy", capacity=max(1, len(record_ids)))  # validate before the disk
        probe.extend(record_ids, codes, masks)
        for record_id in probe.record_ids():
            if record_id in self.shard:
                raise DuplicateRecordError(record_id)
        if self.store is not None:
            self.store.append(np.asarray(record_ids, dtype=np.int64), codes, masks)
        self.shard.extend(record_ids, codes, masks)

    def enrolled_among(self, record_ids: Iterable[int]) -> list[int]:
        """Those of `record_ids` that are already enrolled here."""
        return [r for r in record_ids if r in self.shard]

    def delete(self, record_ids: Iterable[int]) -> int:
        """Remove the given records (those present) from memory and disk; returns how many were removed."""
        present = {check_record_id(r) for r in record_ids} & set(self.shard.record_ids())
        if not present:
            return 0
        if self.store is not None:
            self.store.rewrite(self._rows_without(present))
        for record_id in present:
            self.shard.remove(record_id)
        logger.info("gallery shard: deleted %d record(s)", len(present))
        return len(present)

    def search(self, probe: IrisTemplate, threshold: float) -> SearchResult:
        """See GalleryShard.search."""
        return self.shard.search(probe, threshold)

    def search_among(self, probe: IrisTemplate, threshold: float, record_ids: list[int]) -> SearchResult:
        """See GalleryShard.search_among."""
        return self.shard.search_among(probe, threshold, record_ids)

    def record_ids(self) -> list[int]:
        """Enrolled record ids."""
        return self.shard.record_ids()

    def close(self) -> None:
        """Close the store file (memory is kept until the object goes)."""
        if self.store is not None:
            self.store.close()

    def _rows_without(self, removed: set[int]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        for start in range(0, len(self.shard), READ_CHUNK_RECORDS):
            ids, codes, masks = self.shard.rows(start, start + READ_CHUNK_RECORDS)
            keep = ~np.isin(ids, np.fromiter(removed, dtype=np.int64))
            yield ids[keep], codes[keep], masks[keep]
