"""The compiled 1:N kernel (numba): every shift of a record scored in one pass over its words.

Why compiled: numpy makes a separate pass over memory for each of xor / and / popcount / sum, and
a temporary for each; here the record's 4 KiB is read once and all 31 rotations of the probe are
scored against it while it sits in L1. The 31 rotations of the probe are made once per query
(`rotations`, 124 KiB, stays in L2): the probe rotates, the gallery never moves. The word loop
compiles to AVX-512 VPOPCNTQ where the CPU has it (POPCNT otherwise).

No early rejection: an exact one was built and measured (after each 32-word block, drop a shift
when even the best case for the remaining words, `normalized(d, n + bits still comparable)`, is
over the threshold; the normalized distance grows with d and shrinks with n, so the bound is
exact). Impostors are dropped only after ~3/4 of their words, and the branches cost more than
the words they save: it ran ~30% slower here (bench/gallery.py, commit c144f3c). A statistical
prefilter on a subset of words was not adopted: what it can miss depends on how correlated iris
bits are, which we cannot bound for every eye. So the kernel scores every word and misses nothing.

Where the C extension built, `kernel.scan` runs `native_kernel` instead (~2x faster per core on
AVX-512 scoring every word); this kernel is the fallback. The native kernel does use an exact
bound, and there it pays (about half the time again at thresholds 0.30-0.33): it counts only
differing bits until the bound decides (4 vector operations instead of 6, two rows per probe load),
checks all 31 shifts with one vector compare against a count solved once per query (no division,
no per-shift branch), visits the probe mask's densest columns first so the bound decides sooner,
and prefetches the next rows by hand so the words it skips do not stall the memory stream.
"""

from __future__ import annotations

import math

import numpy as np

from .distance import IMPOSTOR_MEAN, NO_OVERLAP_DISTANCE, REFERENCE_BITS, SHIFT_ORDER

_SHIFTS = np.array(SHIFT_ORDER, dtype=np.int64)

try:
    import numba
    from llvmlite import ir
    from numba.core import types
    from numba.extending import intrinsic

    AVAILABLE = True
except ImportError:  # pragma: no cover - numba is a pinned dependency; kernel.scan falls back to numpy
    AVAILABLE = False


if AVAILABLE:

    @intrinsic
    def _popcount(typingctx, value):  # type: ignore[no-untyped-def]
        """llvm.ctpop.i64: one POPCNT (or VPOPCNTQ lane once the loop is vectorized)."""
        signature = types.uint64(types.uint64)

        def codegen(context, builder, sig, args):  # type: ignore[no-untyped-def]
            fn = builder.module.declare_intrinsic("llvm.ctpop", [ir.IntType(64)])
            return builder.call(fn, args)

        return signature, codegen

    @numba.njit(inline="always")
    def _normalized(differing: int, compared: int, ref: float) -> float:
        # Same operations, same order, as distance.normalized_distance.
        if compared == 0:
            return NO_OVERLAP_DISTANCE
        counted = min(float(compared), ref)
        return IMPOSTOR_MEAN - (IMPOSTOR_MEAN - differing / compared) * math.sqrt(counted / ref)

    @numba.njit(parallel=True, boundscheck=False, nogil=True, cache=True)
    def _scan(rot_code, rot_mask, codes, masks, ref, out_d, out_s, out_n):  # type: ignore[no-untyped-def]
        n_shifts = rot_code.shape[0]
        n_words = rot_code.shape[1]
        for i in numba.prange(codes.shape[0]):
            best = np.inf
            best_k = 0
            best_n = np.uint64(0)
            for k in range(n_shifts):
                d = np.uint64(0)
                n = np.uint64(0)
                for j in range(n_words):
                    both = masks[i, j] & rot_mask[k, j]
                    d += _popcount((codes[i, j] ^ rot_code[k, j]) & both)
                    n += _popcount(both)
                value = _normalized(d, n, ref)
                if value < best:
                    best = value
                    best_k = k
                    best_n = n
            out_d[i] = best
            out_s[i] = best_k
            out_n[i] = best_n


def rotations(words: np.ndarray) -> np.ndarray:
    """uint64[31, 256]: row k is the probe words rotated by SHIFT_ORDER[k] (124 KiB: stays in L2)."""
    return np.ascontiguousarray(np.stack([np.roll(words, shift) for shift in SHIFT_ORDER]))


def set_threads(count: int) -> None:
    """Use `count` threads (1..the number numba started with) for later scans in this process."""
    if AVAILABLE:
        numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))


def scan(
    probe_code: np.ndarray,
    probe_mask: np.ndarray,
    codes: np.ndarray,
    masks: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of `codes`/`masks` (uint64[n, 256]): best distance, its shift, bits compared there."""
    if not AVAILABLE:  # pragma: no cover
        raise RuntimeError("numba is not installed")
    n_rows = codes.shape[0]
    out_d = np.empty(n_rows, dtype=np.float64)
    out_k = np.empty(n_rows, dtype=np.int64)
    out_n = np.empty(n_rows, dtype=np.uint64)
    if n_rows:
        _scan(
            rotations(probe_code),
            rotations(probe_mask),
            codes,
            masks,
            float(REFERENCE_BITS),
            out_d,
            out_k,
            out_n,
        )
    return out_d, _SHIFTS[out_k], out_n
