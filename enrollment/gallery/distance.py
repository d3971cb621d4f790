"""The distance the gallery decides on: normalized masked fractional Hamming distance over ±15 shifts.

Definition (every kernel in this package must agree with `pair_distance` bit for bit):

* For a shift `s` in -15..15 the PROBE is rotated: `code_s = np.roll(probe.code, s)` (one word is
  one angular column, so this is a rotation by `s` columns; see `enrollment.iris.template`).
* `mask_s = enrolled.mask & np.roll(probe.mask, s)`; `n_s = popcount(mask_s)` bits compared;
  `d_s = popcount((enrolled.code ^ code_s) & mask_s)` bits that disagree.
* Raw distance `d_s / n_s`, then Daugman's normalization for the number of bits compared
  (Daugman 2006, "Probing the uniqueness and randomness of IrisCodes", eq. 5):
  `HD_norm = 0.5 - (0.5 - d_s / n_s) * sqrt(min(n_s, REFERENCE_BITS) / REFERENCE_BITS)`.
  A comparison on few bits is pulled toward 0.5, so a small overlap cannot look like a match;
  more bits than REFERENCE_BITS earn no bonus (a score is never below its raw distance).
  With no bit in common (`n_s == 0`) the distance is `NO_OVERLAP_DISTANCE` (0.5, chance).
* The result is the smallest HD_norm over the shifts, tried in `SHIFT_ORDER` (-15..15); on a tie
  the earlier shift wins.

This is exactly `enrollment.iris.match.match(probe, enrolled)` (same rotation direction, reference
bits, tie rule and float operations); tests/enrollment/test_gallery_kernel.py checks it pair by pair.

Pure functions, no I/O.
"""

from __future__ import annotations

import math

import numpy as np

from enrollment.iris.match import MAX_SHIFT, REFERENCE_BITS
from enrollment.iris.template import IrisTemplate

# MAX_SHIFT (15 columns, about 21 degrees) and REFERENCE_BITS come from the iris matcher, the one
# source of truth: Daugman normalizes to 911 bits, the typical overlap of his 2,048-bit code; ours
# has 16,384 bits and the matcher uses 8,192 (half the template, the typical overlap here).


N_SHIFTS = 2 * MAX_SHIFT + 1
# The order shifts are tried in; a tie goes to the first (as enrollment.iris.match does).
SHIFT_ORDER: tuple[int, ...] = tuple(range(-MAX_SHIFT, MAX_SHIFT + 1))
IMPOSTOR_MEAN = 0.5  # Daugman's normalization pulls toward the distance of two unrelated fair codes
NO_OVERLAP_DISTANCE = 0.5  # nothing comparable: chance, as the normalization gives for raw 0.5


def normalized_distance(differing: int, compared: int) -> float:
    """Normalized fractional Hamming distance of `differing` out of `compared` bits (module docstring)."""
    if compared == 0:
        return NO_OVERLAP_DISTANCE
    counted = min(compared, REFERENCE_BITS)
    return IMPOSTOR_MEAN - (IMPOSTOR_MEAN - differing / compared) * math.sqrt(counted / REFERENCE_BITS)


def pair_distance(probe: IrisTemplate, enrolled: IrisTemplate) -> tuple[float, int, int]:
    """Reference implementation for one pair: (distance, shift, bits_compared) at the best shift.

    Deliberately plain (one shift at a time, Python integers): the kernels are tested against it.
    """
    best: tuple[float, int, int] | None = None
    for shift in SHIFT_ORDER:
        mask = enrolled.mask & np.roll(probe.mask, shift)
        compared = int(np.bitwise_count(mask).sum())
        differing = int(np.bitwise_count((enrolled.code ^ np.roll(probe.code, shift)) & mask).sum())
        distance = normalized_distance(differing, compared)
        if best is None or distance < best[0]:
            best = (distance, shift, compared)
    assert best is not None
    return best
