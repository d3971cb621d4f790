"""One gallery shard in memory: packed templates in contiguous arrays, searched 1:N. No I/O."""

from __future__ import annotations

import math

import numpy as np

from enrollment.iris.template import N_ANGLES, IrisTemplate

from .errors import DuplicateRecordError, GalleryInputError, RecordNotFoundError
from .kernel import KERNELS, scan
from .results import GalleryMatch, SearchResult, match_order

MAX_RECORD_ID = 2**63 - 1  # record ids are stored as int64
INITIAL_CAPACITY = 1024


def check_record_id(record_id: object) -> int:
    """Return `record_id` if it is an int in 0..2**63-1, else raise GalleryInputError."""
    if isinstance(record_id, bool) or not isinstance(record_id, (int, np.integer)):
        raise GalleryInputError(f"record id must be an integer, got {type(record_id).__name__}")
    if not 0 <= int(record_id) <= MAX_RECORD_ID:
        raise GalleryInputError(f"record id must be in 0..2**63-1, got {record_id}")
    return int(record_id)


def check_threshold(threshold: object) -> float:
    """Return `threshold` as a float in [0, 1), else raise GalleryInputError."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)):
        raise GalleryInputError(f"threshold must be a number, got {type(threshold).__name__}")
    value = float(threshold)
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise GalleryInputError(f"threshold must be in [0, 1), got {threshold}")
    return value


def check_template(template: object) -> IrisTemplate:
    """Return `template` if it is an IrisTemplate, else raise GalleryInputError."""
    if not isinstance(template, IrisTemplate):
        raise GalleryInputError(f"expected an IrisTemplate, got {type(template).__name__}")
    return template


class GalleryShard:
    """Templates packed as uint64[n, 256] code and mask arrays (one word per angular column).

    Rows are kept contiguous: removing a record moves the last row into its place and zeroes the
    freed row, so no template bits linger in memory after deletion.
    """

    def __init__(self, kernel: str = "fused", capacity: int = INITIAL_CAPACITY) -> None:
        if kernel not in KERNELS:
            raise GalleryInputError(f"kernel must be one of {KERNELS}, got {kernel!r}")
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise GalleryInputError(f"capacity must be a positive integer, got {capacity!r}")
        self.kernel = kernel
        self._codes = np.zeros((capacity, N_ANGLES), dtype=np.uint64)
        self._masks = np.zeros((capacity, N_ANGLES), dtype=np.uint64)
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._row_of

    def record_ids(self) -> list[int]:
        """Enrolled record ids, in row order."""
        return [int(i) for i in self._ids[: len(self)]]

    def template(self, record_id: int) -> IrisTemplate:
        """The enrolled template of `record_id` (raises RecordNotFoundError)."""
        row = self._row(record_id)
        return IrisTemplate(code=self._codes[row].copy(), mask=self._masks[row].copy())

    def add(self, record_id: int, template: IrisTemplate) -> None:
        """Add one record; raises DuplicateRecordError or GalleryInputError and then changes nothing."""
        record_id = check_record_id(record_id)
        template = check_template(template)
        self.extend(np.array([record_id], dtype=np.int64), template.code[None, :], template.mask[None, :])

    def extend(self, record_ids: np.ndarray, codes: np.ndarray, masks: np.ndarray) -> None:
        """Add many records at once (ids int64[k], codes and masks uint64[k, 256]); all or nothing."""
        record_ids = np.asarray(record_ids)
        k = record_ids.shape[0] if record_ids.ndim == 1 else -1
        for name, words in (("codes", codes), ("masks", masks)):
            if not isinstance(words, np.ndarray) or words.dtype != np.uint64 or words.shape != (k, N_ANGLES):
                raise GalleryInputError(f"{name} must be uint64[{k}, {N_ANGLES}] matching the record ids")
        if record_ids.dtype.kind not in "iu" or (
            k and (record_ids.min() < 0 or record_ids.max() > MAX_RECORD_ID)
        ):
            raise GalleryInputError("record ids must be integers in 0..2**63-1")
        ids = record_ids.astype(np.int64).tolist()
        if len(set(ids)) != len(ids):
            raise GalleryInputError("record ids in one batch must be distinct")
        if self._row_of:
            for record_id in ids:
                if record_id in self._row_of:
                    raise DuplicateRecordError(record_id)
        start = len(self)
        self._reserve(start + k)
        self._codes[start : start + k] = codes
        self._masks[start : start + k] = masks
        self._ids[start : start + k] = ids
        self._row_of.update((record_id, start + n) for n, record_id in enumerate(ids))

    def remove(self, record_id: int) -> None:
        """Remove a record and wipe its row (raises RecordNotFoundError)."""
        row = self._row(record_id)
        last = len(self) - 1
        if row != last:
            moved = int(self._ids[last])
            self._codes[row], self._masks[row] = self._codes[last], self._masks[last]
            self._ids[row] = moved
            self._row_of[moved] = row
        self._codes[last] = 0
        self._masks[last] = 0
        self._ids[last] = 0
        del self._row_of[record_id]

    def search(self, probe: IrisTemplate, threshold: float) -> SearchResult:
        """Every record within `threshold` (normalized distance, see distance.py) of `probe`, best first."""
        probe = check_template(probe)
        threshold = check_threshold(threshold)
        n = len(self)
        hits = scan(
            probe.code,
            probe.mask,
            self._codes[:n],
            self._masks[:n],
            threshold,
            kernel=self.kernel,
        )
        matches = [
            GalleryMatch(record_id=int(self._ids[row]), distance=float(d), shift=int(s), bits_compared=int(b))
            for row, d, s, b in zip(
                hits.rows.tolist(), hits.distances, hits.shifts, hits.bits_compared, strict=True
            )
        ]
        return SearchResult(threshold=threshold, matches=tuple(sorted(matches, key=match_order)), searched=n)

    def search_among(self, probe: IrisTemplate, threshold: float, record_ids: list[int]) -> SearchResult:
        """Like `search`, but scoring only those of `record_ids` enrolled here (others are ignored).

        The same kernel on the chosen rows, so a record's distance, shift and bits are exactly those
        `search` gives; `searched` counts the rows scored. Used by a two-eye search to score the
        second eye only against the first eye's matches.
        """
        probe = check_template(probe)
        threshold = check_threshold(threshold)
        rows = np.array(sorted({self._row_of[r] for r in record_ids if r in self._row_of}), dtype=np.int64)
        hits = scan(
            probe.code, probe.mask, self._codes[rows], self._masks[rows], threshold, kernel=self.kernel
        )
        matches = [
            GalleryMatch(
                record_id=int(self._ids[rows[row]]), distance=float(d), shift=int(s), bits_compared=int(b)
            )
            for row, d, s, b in zip(
                hits.rows.tolist(), hits.distances, hits.shifts, hits.bits_compared, strict=True
            )
        ]
        return SearchResult(
            threshold=threshold, matches=tuple(sorted(matches, key=match_order)), searched=len(rows)
        )

    def rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Copies of (ids, codes, masks) for rows start..stop-1 (used to rewrite the store)."""
        stop = min(stop, len(self))
        return self._ids[start:stop].copy(), self._codes[start:stop].copy(), self._masks[start:stop].copy()

    def _row(self, record_id: object) -> int:
        try:
            return self._row_of[record_id]  # type: ignore[index]
        except (KeyError, TypeError):
            raise RecordNotFoundError(record_id) from None  # type: ignore[arg-type]

    def _reserve(self, needed: int) -> None:
        capacity = self._codes.shape[0]
        if needed <= capacity:
            return
        while capacity < needed:
            capacity *= 2
        for name in ("_codes", "_masks", "_ids"):
            old = getattr(self, name)
            new = np.zeros((capacity, *old.shape[1:]), dtype=old.dtype)
            new[: len(self)] = old[: len(self)]
            old[:] = 0  # do not leave template bits behind in freed memory
            setattr(self, name, new)
