"""The 1:N deduplication gallery: shards searched together, in this process or in Ray actors.

`Gallery.connect(address, ...)` picks the engine:

* `"local"` — the shards live in this process (`LocalGallery`);
* `"ray"` — one Ray actor per shard on the Ray instance this process already joined, or on a
  local Ray started here (and stopped by `close`);
* `"ray://host:port"` — one actor per shard on a remote Ray cluster (Ray Client).

Records are routed to shard `record_id % shards`, so add/delete touch one shard and a search fans
out to all of them and merges. With `directory` and `key` each shard persists in its own encrypted
store file `shard-III-of-NNN.phgs` (see encrypted_store.py); without, the gallery is memory-only.
Both engines give identical results (tests/enrollment/test_gallery_ray.py).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from enrollment.iris.template import N_ANGLES, IrisTemplate

from .errors import DuplicateRecordError, GalleryError, GalleryInputError
from .results import SearchResult, merge_results
from .shard import check_record_id, check_template, check_threshold
from .stored_shard import StoredShard

MAX_SHARDS = 4096
STORE_SUFFIX = ".phgs"


def shard_of(record_id: int, shards: int) -> int:
    """The shard a record lives in."""
    return record_id % shards


def shard_paths(directory: str | os.PathLike[str] | None, shards: int) -> list[Path | None]:
    """Store file of each shard (None: memory only); refuses a directory laid out for another count."""
    if not isinstance(shards, int) or isinstance(shards, bool) or not 1 <= shards <= MAX_SHARDS:
        raise GalleryInputError(f"shards must be an integer in 1..{MAX_SHARDS}, got {shards!r}")
    if directory is None:
        return [None] * shards
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    suffix = f"-of-{shards:03d}{STORE_SUFFIX}"
    foreign = sorted(p.name for p in directory.glob(f"shard-*{STORE_SUFFIX}") if not p.name.endswith(suffix))
    if foreign:
        raise GalleryError(
            f"{directory} holds a gallery with a different shard count ({foreign[0]}); "
            "open it with that count"
        )
    return [directory / f"shard-{i:03d}{suffix}" for i in range(shards)]


class Gallery(ABC):
    """Common front of every engine; subclasses provide the per-shard calls."""

    shards: int

    @classmethod
    def connect(
        cls,
        address: str = "local",
        *,
        directory: str | os.PathLike[str] | None = None,
        key: bytes | None = None,
        shards: int = 2,
        kernel: str = "fused",
    ) -> Gallery:
        """Open a gallery on the engine named by `address` (module docstring); close it when done."""
        if directory is not None and key is None:
            raise GalleryInputError("a persistent gallery needs the station key (32 bytes)")
        if address == "local":
            from .local_gallery import LocalGallery

            return LocalGallery(shard_paths(directory, shards), key, kernel)
        if address == "ray" or address.startswith("ray://"):
            from .ray_cluster import RayGallery

            return RayGallery(address, shard_paths(directory, shards), key, kernel)
        raise GalleryInputError(
            f"unknown gallery address {address!r}: use 'local', 'ray' or 'ray://host:port'"
        )

    # ----- the operations ------------------------------------------------------------------------
    def add(self, record_id: int, template: IrisTemplate) -> None:
        """Enroll `template` as `record_id` (durably when persistent). Raises DuplicateRecordError."""
        record_id = check_record_id(record_id)
        template = check_template(template)
        self.add_many(np.array([record_id], dtype=np.int64), template.code[None, :], template.mask[None, :])

    def add_many(self, record_ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        """Enroll a batch: ids int64[k], codes and masks uint64[k, 256]. All or nothing on bad input
        or an id already enrolled (an I/O failure part-way can leave earlier shards' parts added)."""
        ids = np.asarray(record_ids)
        if ids.ndim != 1 or ids.dtype.kind not in "iu" or len(set(ids.tolist())) != len(ids):
            raise GalleryInputError("record ids must be a 1-d array of distinct integers")
        for record_id in ids.tolist():
            check_record_id(record_id)
        ids = ids.astype(np.int64)
        for name, words in (("codes", codes), ("masks", masks)):
            if (
                not isinstance(words, np.ndarray)
                or words.dtype != np.uint64
                or words.shape != (len(ids), N_ANGLES)
            ):
                raise GalleryInputError(
                    f"{name} must be uint64[{len(ids)}, {N_ANGLES}] matching the record ids"
                )
        parts = [(shard, np.flatnonzero(ids % self.shards == shard)) for shard in range(self.shards)]
        parts = [(shard, pick) for shard, pick in parts if len(pick)]
        for shard, pick in parts:
            enrolled = self._enrolled_among(shard, ids[pick].tolist())
            if enrolled:
                raise DuplicateRecordError(enrolled[0])
        for shard, pick in parts:
            self._add_to(shard, ids[pick], codes[pick], masks[pick])

    def delete(self, record_ids: Iterable[int]) -> int:
        """Remove records (from memory and disk); returns how many existed."""
        ids = [check_record_id(r) for r in record_ids]
        removed = 0
        for shard in range(self.shards):
            mine = [r for r in ids if shard_of(r, self.shards) == shard]
            if mine:
                removed += self._delete_from(shard, mine)
        return removed

    def enrolled_among(self, record_ids: Iterable[int]) -> list[int]:
        """Those of `record_ids` that are enrolled (in the order given)."""
        ids = [check_record_id(r) for r in record_ids]
        found: set[int] = set()
        for shard in range(self.shards):
            mine = [r for r in ids if shard_of(r, self.shards) == shard]
            if mine:
                found.update(self._enrolled_among(shard, mine))
        return [r for r in ids if r in found]

    def search(self, probe: IrisTemplate, threshold: float) -> SearchResult:
        """All enrolled records within `threshold` of `probe` (all 31 shifts), best first."""
        probe = check_template(probe)
        threshold = check_threshold(threshold)
        return merge_results(threshold, self._search_all(probe, threshold))

    def search_among(self, probe: IrisTemplate, threshold: float, record_ids: Iterable[int]) -> SearchResult:
        """Those of `record_ids` within `threshold` of `probe`, best first, with exactly the distances
        `search` gives them; ids not enrolled are ignored. `searched` counts the records scored.

        The second stage of a two-eye search: only the first eye's matches are scored on the other.
        """
        probe = check_template(probe)
        threshold = check_threshold(threshold)
        by_shard: list[list[int]] = [[] for _ in range(self.shards)]
        for record_id in {check_record_id(r) for r in record_ids}:
            by_shard[shard_of(record_id, self.shards)].append(record_id)
        return merge_results(threshold, self._search_among(probe, threshold, by_shard))

    def __enter__(self) -> Gallery:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abstractmethod
    def __len__(self) -> int: ...

    @abstractmethod
    def record_ids(self) -> list[int]:
        """Every enrolled record id (sorted)."""

    @abstractmethod
    def close(self) -> None:
        """Release the stores (and the engine's workers)."""

    @abstractmethod
    def _add_to(self, shard: int, ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None: ...

    @abstractmethod
    def _delete_from(self, shard: int, ids: list[int]) -> int: ...

    @abstractmethod
    def _enrolled_among(self, shard: int, ids: list[int]) -> list[int]: ...

    @abstractmethod
    def _search_all(self, probe: IrisTemplate, threshold: float) -> list[SearchResult]: ...

    @abstractmethod
    def _search_among(
        self, probe: IrisTemplate, threshold: float, ids: list[list[int]]
    ) -> list[SearchResult]: ...


def build_shards(paths: list[Path | None], key: bytes | None, kernel: str) -> list[StoredShard]:
    """Open every shard; on a failure close the ones already open and re-raise."""
    opened: list[StoredShard] = []
    try:
        for path in paths:
            opened.append(StoredShard(path, key, kernel))
    except BaseException:
        for shard in opened:
            shard.close()
        raise
    return opened
