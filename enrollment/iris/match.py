"""Matching: masked fractional Hamming distance over rotations, with Daugman's score normalization.

Pure functions on packed templates (no I/O). For a shift s, template `a` is rolled by s words
(columns) and compared with `b` wherever both masks are set. The best shift is kept. The raw
distance is then normalized for the number of bits compared (Daugman 2004, section 6):
HD_norm = 0.5 - (0.5 - HD_raw) * sqrt(min(n, REFERENCE_BITS) / REFERENCE_BITS), so a score from
few bits is pulled towards 0.5 (chance) instead of looking as good as one from a whole iris.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .template import N_ANGLES, IrisTemplate

MAX_SHIFT = 15  # +-15 columns = +-21 degrees of head tilt between two captures (256 columns = 360 deg)
REFERENCE_BITS = (
    4096  # below a quarter of the template, scores are pulled towards 0.5 (bench: 8192 cost FNMR)
)
DEGREES_PER_COLUMN = 360.0 / N_ANGLES


@dataclass(frozen=True)
class MatchResult:
    """The best comparison of two templates.

    `distance`: normalized fractional Hamming distance (0 same, ~0.46 different eyes, 0.5 chance);
    `shift`: columns that `a` was rolled by (np.roll) to best fit `b`; b's texture lies `shift`
    columns further along in angle, i.e. rotated clockwise on screen by shift * 360/256 degrees;
    `bits_compared`: bits usable in both templates at that shift; `raw_distance`: before normalization.
    """

    distance: float
    shift: int
    bits_compared: int
    raw_distance: float


def normalize_score(raw: np.ndarray | float, bits: np.ndarray | int) -> np.ndarray | float:
    """Daugman's normalization of a raw fractional Hamming distance for `bits` compared bits.

    Comparisons on fewer than REFERENCE_BITS bits are pulled towards 0.5; more bits than that earn
    no bonus (capped), so a score is never better than its raw distance and never negative.
    """
    bits = np.minimum(np.asarray(bits), REFERENCE_BITS)
    return 0.5 - (0.5 - np.asarray(raw)) * np.sqrt(bits / REFERENCE_BITS)


def match_many(
    probe: IrisTemplate, codes: np.ndarray, masks: np.ndarray, max_shift: int = MAX_SHIFT
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Compare `probe` with M packed templates (uint64 (M, 256) each).

    Returns (distance, shift, bits_compared, raw_distance), each of shape (M,), at each template's
    best shift in [-max_shift, max_shift]. Templates with no bit in common get distance 0.5.
    """
    if not 0 <= max_shift < N_ANGLES // 2:
        raise ValueError(f"max_shift must be in [0, {N_ANGLES // 2})")
    best = np.full(len(codes), np.inf)
    best_shift = np.zeros(len(codes), dtype=np.int64)
    best_bits = np.zeros(len(codes), dtype=np.int64)
    best_raw = np.full(len(codes), 0.5)
    for shift in range(-max_shift, max_shift + 1):
        code = np.roll(probe.code, shift)
        both = masks & np.roll(probe.mask, shift)
        bits = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
        diff = np.bitwise_count((codes ^ code) & both).sum(axis=1, dtype=np.int64)
        raw = np.where(bits > 0, diff / np.maximum(bits, 1), 0.5)
        score = normalize_score(raw, bits)
        better = score < best
        best = np.where(better, score, best)
        best_shift = np.where(better, shift, best_shift)
        best_bits = np.where(better, bits, best_bits)
        best_raw = np.where(better, raw, best_raw)
    return best, best_shift, best_bits, best_raw


def match(a: IrisTemplate, b: IrisTemplate, max_shift: int = MAX_SHIFT) -> MatchResult:
    """Compare two templates over +-max_shift column rotations; see MatchResult for the meaning."""
    dist, shift, bits, raw = match_many(a, b.code[None], b.mask[None], max_shift)
    return MatchResult(float(dist[0]), int(shift[0]), int(bits[0]), float(raw[0]))


def shift_to_degrees(shift: int) -> float:
    """Columns of shift to degrees of rotation (clockwise on screen, see MatchResult)."""
    return shift * DEGREES_PER_COLUMN


def degrees_to_shift(angle_deg: float) -> int:
    """Degrees of clockwise on-screen rotation to the nearest column shift."""
    return math.floor(angle_deg / DEGREES_PER_COLUMN + 0.5)
