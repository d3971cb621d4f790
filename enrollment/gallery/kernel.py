"""1:N search kernels: one probe against a whole shard of packed templates, all 31 shifts.

Three implementations with one contract (`scan`): every record whose distance (see `distance.py`)
is <= threshold comes back with exactly the distance, shift and bits compared that
`distance.pair_distance` gives.

* ``numpy`` (`scan_numpy`) — the reference: vectorized numpy over rows, one shift at a time (the
  probe is rotated, never the gallery). Each numpy operation is a separate pass over memory.
* ``numba`` — the compiled kernel in `fused_kernel.py`: one pass, every shift of a record scored
  while it sits in L1.
* ``native`` — the C extension in `native_kernel.py` (AVX-512 VPOPCNTQ / AVX2 / POPCNT, chosen at
  run time), given the search threshold so that it may stop scoring a row once a bound proves the
  row above it (exact: a row within the threshold is always scored in full).
* ``fused`` (the default) — the fastest of these that is installed: native, else numba, else numpy.

Pure computation, no I/O. Arguments are trusted: the shard validates at its boundary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from . import fused_kernel, native_kernel
from .distance import IMPOSTOR_MEAN, NO_OVERLAP_DISTANCE, REFERENCE_BITS, SHIFT_ORDER
from .errors import KernelUnavailableError

logger = logging.getLogger(__name__)

NUMPY_CHUNK_ROWS = 2048  # 2048 x 2 KiB = 4 MiB per temporary: fits L2+L3 on the machines here
KERNELS = ("fused", "native", "numba", "numpy")


@dataclass(frozen=True, eq=False)
class ScanHits:
    """Rows within the threshold (row indexes into the shard's arrays) with their exact scores."""

    rows: np.ndarray  # int64
    distances: np.ndarray  # float64
    shifts: np.ndarray  # int64, -15..15
    bits_compared: np.ndarray  # int64


def _normalized(differing: np.ndarray, compared: np.ndarray) -> np.ndarray:
    # The same floating-point operations, in the same order, as distance.normalized_distance.
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = differing / compared
        counted = np.minimum(compared, REFERENCE_BITS)
        value = IMPOSTOR_MEAN - (IMPOSTOR_MEAN - raw) * np.sqrt(counted / REFERENCE_BITS)
    return np.where(compared == 0, NO_OVERLAP_DISTANCE, value)


def scan_numpy(
    probe_code: np.ndarray, probe_mask: np.ndarray, codes: np.ndarray, masks: np.ndarray, threshold: float
) -> ScanHits:
    """Reference kernel: rows of `codes`/`masks` (uint64[n, 256]) within `threshold` of the probe."""
    found: list[tuple[np.ndarray, ...]] = []
    rolled = [(s, np.roll(probe_code, s), np.roll(probe_mask, s)) for s in SHIFT_ORDER]
    for start in range(0, codes.shape[0], NUMPY_CHUNK_ROWS):
        gc = codes[start : start + NUMPY_CHUNK_ROWS]
        gm = masks[start : start + NUMPY_CHUNK_ROWS]
        best = np.full(gc.shape[0], np.inf)
        best_shift = np.zeros(gc.shape[0], dtype=np.int64)
        best_bits = np.zeros(gc.shape[0], dtype=np.int64)
        for shift, code_s, mask_s in rolled:
            both = gm & mask_s
            compared = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
            differing = np.bitwise_count((gc ^ code_s) & both).sum(axis=1, dtype=np.int64)
            distance = _normalized(differing, compared)
            better = distance < best
            best = np.where(better, distance, best)
            best_shift[better] = shift
            best_bits = np.where(better, compared, best_bits)
        hit = np.flatnonzero(best <= threshold)
        found.append((hit + start, best[hit], best_shift[hit], best_bits[hit]))
    return _concat(found)


def scan_numba(
    probe_code: np.ndarray,
    probe_mask: np.ndarray,
    codes: np.ndarray,
    masks: np.ndarray,
    threshold: float,
) -> ScanHits:
    """The numba kernel (fused_kernel.py), same contract as `scan_numpy`."""
    return _hits(*fused_kernel.scan(probe_code, probe_mask, codes, masks), threshold)


def scan_native(
    probe_code: np.ndarray,
    probe_mask: np.ndarray,
    codes: np.ndarray,
    masks: np.ndarray,
    threshold: float,
) -> ScanHits:
    """The C kernel (native_kernel.py) with its exact early stop at `threshold`, same contract."""
    return _hits(
        *native_kernel.scan(probe_code, probe_mask, codes, masks, bound_threshold=threshold), threshold
    )


def best_kernel() -> str:
    """The kernel "fused" runs here: "native" if the extension built, else "numba", else "numpy"."""
    if native_kernel.AVAILABLE:
        return "native"
    return "numba" if fused_kernel.AVAILABLE else "numpy"


def set_threads(count: int) -> None:
    """Use `count` threads (at least 1, at most this process's CPUs) in later native and numba scans."""
    fused_kernel.set_threads(count)
    native_kernel.set_threads(count)


def scan(
    probe_code: np.ndarray,
    probe_mask: np.ndarray,
    codes: np.ndarray,
    masks: np.ndarray,
    threshold: float,
    kernel: str = "fused",
) -> ScanHits:
    """Run the named kernel (see the module docstring; "fused" picks the fastest installed).

    Raises ValueError for an unknown name and KernelUnavailableError for "native" or "numba" where
    it is not installed.
    """
    if kernel not in KERNELS:
        raise ValueError(f"unknown kernel {kernel!r}; expected one of {KERNELS}")
    if kernel == "fused":
        kernel = best_kernel()
    if kernel == "native":
        if not native_kernel.AVAILABLE:
            raise KernelUnavailableError("native", native_kernel.IMPORT_ERROR)
        return scan_native(probe_code, probe_mask, codes, masks, threshold)
    if kernel == "numba":
        if not fused_kernel.AVAILABLE:
            raise KernelUnavailableError("numba", "numba is not importable")
        return scan_numba(probe_code, probe_mask, codes, masks, threshold)
    return scan_numpy(probe_code, probe_mask, codes, masks, threshold)


def _hits(distances: np.ndarray, shifts: np.ndarray, compared: np.ndarray, threshold: float) -> ScanHits:
    hit = np.flatnonzero(distances <= threshold)
    return ScanHits(
        rows=hit.astype(np.int64),
        distances=distances[hit],
        shifts=shifts[hit].astype(np.int64),
        bits_compared=compared[hit].astype(np.int64),
    )


def _concat(parts: list[tuple[np.ndarray, ...]]) -> ScanHits:
    if not parts:
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        return ScanHits(rows=empty_i, distances=empty_f, shifts=empty_i, bits_compared=empty_i)
    rows, distances, shifts, bits = (np.concatenate(column) for column in zip(*parts, strict=True))
    return ScanHits(rows=rows.astype(np.int64), distances=distances, shifts=shifts, bits_compared=bits)
