"""The compiled 1:N kernel (numba): every shift of a record scored in one pass, with exact early rejection.

Why compiled: numpy makes a separate pass over memory for each of xor / and / popcount / sum, and
a temporary for each; here the record's 4 KiB is read once and all 31 rotations of the probe are
scored against it while it sits in L1. The 31 rotations of the probe are made once per query
(`rotations`, 124 KiB, stays in L2): the probe rotates, the gallery never moves.

Early rejection (exact: it can miss nothing). Words are scored in blocks of `BLOCK_WORDS`.
After block b, for each shift still alive, we know the disagreeing bits `d` and the compared bits
`n` so far; the remaining words can add at most `rest = min(probe mask bits left at this shift,
record mask bits left)` compared bits and never remove a disagreeing bit. The normalized distance
`0.5 - (0.5 - d/n) * sqrt(n / ref)` grows with d and shrinks with n (d/dn of
`0.5*sqrt(n) - d/sqrt(n)` is positive), so the final distance at that shift is at least
`normalized(d, n + rest)`. If that lower bound exceeds the threshold (plus `BOUND_SLACK` for
floating-point rounding), the shift cannot produce a match and is dropped; a record with no shift
left is abandoned. A record within the threshold therefore always keeps its best shift to the end
and is scored exactly. Unrelated templates (distance ~0.47) are abandoned after ~3/4 of their words.

Output: per row, the best distance over the shifts that survived (np.inf for abandoned rows), its
shift and bits compared. Only values <= threshold are meaningful; `kernel.scan_fused` keeps those.
"""

from __future__ import annotations

import math

import numpy as np

from enrollment.iris.template import N_ANGLES

from .distance import IMPOSTOR_MEAN, NO_OVERLAP_DISTANCE, REFERENCE_BITS, SHIFT_ORDER

BLOCK_WORDS = 32  # 8 checkpoints per record; a block is 256 B of code + 256 B of mask
N_BLOCKS = N_ANGLES // BLOCK_WORDS
CHUNK_ROWS = 512  # rows per parallel work item
BOUND_SLACK = 1e-9  # >> float64 rounding of the bound (~1e-16), << any meaningful distance step
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
        return IMPOSTOR_MEAN - (IMPOSTOR_MEAN - differing / compared) * math.sqrt(compared / ref)

    @numba.njit(parallel=True, boundscheck=False, nogil=True, cache=True)
    def _scan(rot_code, rot_mask, probe_rest, codes, masks, mask_bits, threshold, ref, out_d, out_s, out_n):  # type: ignore[no-untyped-def]
        n_rows = codes.shape[0]
        n_shifts = rot_code.shape[0]
        n_chunks = (n_rows + CHUNK_ROWS - 1) // CHUNK_ROWS
        for chunk in numba.prange(n_chunks):
            for i in range(chunk * CHUNK_ROWS, min(n_rows, (chunk + 1) * CHUNK_ROWS)):
                # record mask bits left after each block (for the bound), one popcount per word
                record_rest = np.empty(N_BLOCKS + 1, dtype=np.uint64)
                record_rest[0] = mask_bits[i]
                for block in range(N_BLOCKS):
                    in_block = np.uint64(0)
                    for j in range(block * BLOCK_WORDS, (block + 1) * BLOCK_WORDS):
                        in_block += _popcount(masks[i, j])
                    record_rest[block + 1] = record_rest[block] - in_block
                best = np.inf
                best_k = 0
                best_n = np.uint64(0)
                for k in range(n_shifts):
                    d = np.uint64(0)
                    n = np.uint64(0)
                    alive = True
                    for block in range(N_BLOCKS):
                        for j in range(block * BLOCK_WORDS, (block + 1) * BLOCK_WORDS):
                            both = masks[i, j] & rot_mask[k, j]
                            d += _popcount((codes[i, j] ^ rot_code[k, j]) & both)
                            n += _popcount(both)
                        if block + 1 < N_BLOCKS:
                            rest = min(probe_rest[k, block + 1], record_rest[block + 1])
                            if _normalized(d, n + rest, ref) > threshold + BOUND_SLACK:
                                alive = False
                                break
                    if alive:
                        value = _normalized(d, n, ref)
                        if value < best:
                            best = value
                            best_k = k
                            best_n = n
                out_d[i] = best
                out_s[i] = best_k
                out_n[i] = best_n


def probe_rest_bits(probe_mask: np.ndarray) -> np.ndarray:
    """[k, b] -> mask bits in words b*BLOCK_WORDS.. of the probe rotated by SHIFT_ORDER[k]."""
    rest = np.zeros((len(SHIFT_ORDER), N_BLOCKS + 1), dtype=np.uint64)
    for k, shift in enumerate(SHIFT_ORDER):
        per_block = np.bitwise_count(np.roll(probe_mask, shift)).reshape(N_BLOCKS, BLOCK_WORDS).sum(axis=1)
        rest[k, :N_BLOCKS] = np.cumsum(per_block[::-1])[::-1]
    return rest


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
    mask_bits: np.ndarray,
    threshold: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-row (best distance or inf, shift, bits compared); rows are `codes`/`masks` (uint64[n, 256])."""
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
            probe_rest_bits(probe_mask),
            codes,
            masks,
            mask_bits.astype(np.uint64, copy=False),
            float(threshold),
            float(REFERENCE_BITS),
            out_d,
            out_k,
            out_n,
        )
    return out_d, _SHIFTS[out_k], out_n
