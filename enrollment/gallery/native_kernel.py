"""The native 1:N kernel (C extension `enrollment.gallery._hamming`, sources in `native/`).

Same contract as `fused_kernel.scan` (numba): per gallery row, the best normalized distance over
the 31 shifts, its shift and the bits compared there, each exactly what `distance.pair_distance`
gives. The extension is built at install time without -march; it picks one of its code paths at run
time from the CPU (`PATHS`, fastest first):

* ``avx512`` — AVX-512 with VPOPCNTQ, 8 shifts per instruction (hamming_avx512.c explains why a
  vector lane is a shift, why that is the least work per bit-pair the CPU allows, and how the
  early stop scores two rows per probe load);
* ``avx2`` — nibble-table popcount with VPSHUFB; ``popcnt`` — scalar POPCNT; ``generic`` — plain C.

Exact early stop: with `bound_threshold` given, every path may stop scoring a row once its counts
so far prove that no shift can end at or under that threshold (a bound computed from the probe's
mask, not a sample: see hamming_avx512.c); such a row comes back with distance +inf. Every row that
is within the threshold comes back exact, so a search misses nothing.

`AVAILABLE` is False when the extension did not build (no C compiler at install time) or did not
import; `IMPORT_ERROR` says why, and `kernel.scan` uses the numba kernel instead.
"""

from __future__ import annotations

import importlib
import os

import numpy as np

from enrollment.iris.template import N_ANGLES

from .distance import REFERENCE_BITS
from .errors import KernelUnavailableError

try:  # by full name: "from . import _hamming" would report a missing build as a circular import
    _hamming = importlib.import_module(f"{__package__}._hamming")
except ImportError as e:  # no C compiler at install time, or a build for another interpreter
    _hamming = None
    IMPORT_ERROR: str | None = f"{type(e).__name__}: {e}"
else:
    IMPORT_ERROR = None

AVAILABLE = _hamming is not None
PATHS: tuple[str, ...] = tuple(_hamming.paths()) if _hamming is not None else ()


def _cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_threads = _cpus()


def set_threads(count: int) -> None:
    """Use `count` threads (at least 1, at most the CPUs this process may run on) for later scans."""
    global _threads
    _threads = max(1, min(int(count), _cpus()))


def threads() -> int:
    """The number of threads a scan uses."""
    return _threads


def scan(
    probe_code: np.ndarray,
    probe_mask: np.ndarray,
    codes: np.ndarray,
    masks: np.ndarray,
    bound_threshold: float | None = None,
    path: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `codes`/`masks` (uint64[n, 256]): best distance, its shift, bits compared there.

    `bound_threshold` (in [0, 0.5), or None to score every word): rows provably above it may come
    back as (+inf, 0, 0). `path`: one of `PATHS` (default: the fastest). Raises
    KernelUnavailableError when the extension is not built, ValueError for a path this CPU cannot
    run or arrays of the wrong shape.
    """
    if _hamming is None:
        raise KernelUnavailableError("native", IMPORT_ERROR)
    n_rows = codes.shape[0]
    out_d = np.empty(n_rows, dtype=np.float64)
    out_s = np.empty(n_rows, dtype=np.int64)
    out_n = np.empty(n_rows, dtype=np.uint64)
    if n_rows:
        # The bound only helps below chance (0.5); at or above it every row would have to be kept.
        bound = (
            -1.0 if bound_threshold is None or not 0.0 <= bound_threshold < 0.5 else float(bound_threshold)
        )
        _hamming.scan(
            _words(probe_code, (N_ANGLES,)),
            _words(probe_mask, (N_ANGLES,)),
            _words(codes, (n_rows, N_ANGLES)),
            _words(masks, (n_rows, N_ANGLES)),
            REFERENCE_BITS,
            bound,
            path or PATHS[0],
            _threads,
            out_d,
            out_s,
            out_n,
        )
    return out_d, out_s, out_n


def _words(array: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    # The extension reads raw bytes: insist on native-order uint64 in C order (a no-op for shards).
    if array.shape != shape:
        raise ValueError(f"expected uint64{list(shape)}, got shape {array.shape}")
    return np.ascontiguousarray(array, dtype=np.uint64)
