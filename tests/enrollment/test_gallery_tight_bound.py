"""The gallery kernels' exact early stop where it is tight: a duplicate exactly at the threshold is kept.

hamming_scan.c's bound leaves a row once every shift's differing bits d reach `dead_from`, the least
d for which even comparing all Q of the probe's mask bits would end above threshold + margin. With
an all-ones enrolled mask a duplicate really compares all Q bits at its shift, so its final distance
IS the bound's f(d, Q): at threshold = that distance it sits exactly one differing bit below
`dead_from`. Loosening the bound by its margin, or `dead_from` by one bit, drops it; random
galleries reach this case only by luck (an exact copy at threshold 0.0). Run on every code path the
native extension has, each forced with `path=` (the numba kernel has no bound: it scores every word).
"""

from __future__ import annotations

import numpy as np
import pytest

from enrollment.gallery import native_kernel
from enrollment.gallery.distance import REFERENCE_BITS, normalized_distance, pair_distance
from enrollment.iris.template import N_ANGLES, IrisTemplate
from simulation.synthetic_templates import random_templates

ALL_NATIVE_PATHS = ("avx512", "avx2", "popcnt", "generic")  # hamming_scan.c: hm_path_name
FLIPPED = (0.0, 0.2, 0.3)  # of the probe's mask bits, at the duplicate's shift
PLANTED = {9: (0.0, 4), 20: (0.2, -11), 33: (0.3, 15)}  # row: (flipped fraction, shift); odd and even rows
ROWS = 48


def _bits(words: np.ndarray) -> np.ndarray:
    return np.unpackbits(words.view(np.uint8), bitorder="little")


def _words(bits: np.ndarray) -> np.ndarray:
    return np.packbits(bits, bitorder="little").view("<u8").astype(np.uint64)


def _rounds_against(k: int, q: int) -> bool:
    """Whether hamming_scan.c's bound WITHOUT its margin would call a row with k of q bits differing dead
    at threshold = its own distance: the test of least_dead_count, in the same double operations.

    Distance and bound are rounded differently, so at a tie either side can win; the margin
    (HM_BOUND_MARGIN, 1e-9) is what keeps such a duplicate. Planting k where it matters makes a
    bound that lost its margin fail here, deterministically.
    """
    threshold = normalized_distance(k, q)
    counted = float(min(q, REFERENCE_BITS))
    u = float(q - 2 * k)
    return u * abs(u) * counted < 4.0 * (0.5 - threshold) * (0.5 - threshold) * REFERENCE_BITS * (q * q)


def _tight_gallery() -> tuple[IrisTemplate, np.ndarray, np.ndarray, dict[int, int]]:
    """A probe with a realistic mask, impostors, and duplicates that each differ in exactly k of its bits.

    Returns (probe, codes, masks, {row: k}); every enrolled mask is all ones.
    """
    rng = np.random.default_rng(2028)
    codes, _ = random_templates(rng, ROWS)
    probe_codes, probe_masks = random_templates(rng, 1)
    probe = IrisTemplate(code=probe_codes[0], mask=probe_masks[0])
    masks = np.full((ROWS, N_ANGLES), ~np.uint64(0), dtype=np.uint64)
    flipped = {}
    for row, (fraction, shift) in PLANTED.items():
        # the enrolled eye: the probe's code rotated so that pair_distance finds it at `shift`, with
        # exactly k of the bits the probe's mask covers there flipped
        seen = np.roll(probe.mask, shift)
        q = int(_bits(seen).sum())
        k = round(fraction * q)
        while k and not _rounds_against(k, q):  # the nearest count above where the margin decides
            k += 1
        flips = np.zeros(N_ANGLES * 64, dtype=np.uint8)
        flips[rng.choice(np.flatnonzero(_bits(seen)), k, replace=False)] = 1
        codes[row] = np.roll(probe.code, shift) ^ _words(flips)
        flipped[row] = k
    return probe, codes, masks, flipped


def _scan(kind: str, probe: IrisTemplate, codes: np.ndarray, masks: np.ndarray, threshold: float):
    """(distance, shift, bits) per row, +inf where the bound left a row."""
    if kind not in native_kernel.PATHS:
        pytest.skip(
            f"this CPU cannot run the native {kind} path (native_kernel.PATHS = {native_kernel.PATHS})"
        )
    return native_kernel.scan(probe.code, probe.mask, codes, masks, threshold, path=kind)


@pytest.fixture(scope="module")
def gallery():
    return _tight_gallery()


def test_the_planted_duplicates_are_tight(gallery) -> None:
    probe, codes, masks, flipped = gallery
    q = int(_bits(probe.mask).sum())
    assert q > REFERENCE_BITS  # Q counts in full: no 0.5-pull, the 0% duplicate is at distance 0.0
    for row, k in flipped.items():
        distance, shift, bits = pair_distance(probe, IrisTemplate(code=codes[row], mask=masks[row]))
        assert (shift, bits) == (PLANTED[row][1], q)  # every one of the probe's Q bits compared
        assert distance == normalized_distance(k, q)
    assert sorted(k / q for k in flipped.values()) == pytest.approx(FLIPPED, abs=1e-3)
    assert [_rounds_against(k, q) for k in flipped.values()] == [False, True, True]


@pytest.mark.parametrize("kind", ALL_NATIVE_PATHS)
@pytest.mark.parametrize("row", sorted(PLANTED))
def test_a_duplicate_exactly_at_the_threshold_is_kept(gallery, kind: str, row: int) -> None:
    probe, codes, masks, _ = gallery
    expected = pair_distance(probe, IrisTemplate(code=codes[row], mask=masks[row]))
    threshold = expected[0]
    d, s, n = _scan(kind, probe, codes, masks, threshold)
    assert (float(d[row]), int(s[row]), int(n[row])) == expected
    hits = np.flatnonzero(d <= threshold).tolist()
    assert row in hits and all(PLANTED.get(h, (1.0,))[0] <= PLANTED[row][0] for h in hits)
    assert np.isinf(d).sum() > ROWS - len(PLANTED) - 1  # the bound is live: the impostors were left


@pytest.mark.parametrize("kind", ALL_NATIVE_PATHS)
@pytest.mark.parametrize("row", [r for r, (fraction, _) in PLANTED.items() if fraction > 0])
def test_the_bound_leaves_a_duplicate_one_bit_past_it(gallery, kind: str, row: int) -> None:
    # Just under the duplicate's distance (far more than the margin, far less than one bit's step) it
    # is provably above the threshold after all its bits, so the least dead count is exactly its k:
    # the bound is as tight as hamming_scan.c claims, not just safe (a bound loosened the other way,
    # e.g. `>=` turned `>`, would silently score every row in full).
    probe, codes, masks, flipped = gallery
    q = int(_bits(probe.mask).sum())
    distance = normalized_distance(flipped[row], q)
    step = distance - normalized_distance(flipped[row] - 1, q)
    assert step > 1e-5
    d, _, _ = _scan(kind, probe, codes, masks, distance - 1e-6)
    assert np.isinf(d[row])


@pytest.mark.parametrize("kind", ALL_NATIVE_PATHS)
def test_a_one_bit_probe_mask_is_bounded_exactly_too(kind: str) -> None:
    # With Q = 1 compared bit, the least dead count is Q itself, the top of least_dead_count's range
    # (a row is dead only once its one bit differs): the bisection must reach it, or every row is
    # left at once, hits included. Near-chance threshold: a matching bit scores 0.5 - 0.5/64.
    rng = np.random.default_rng(7)
    codes, _ = random_templates(rng, 8)
    masks = np.full((8, N_ANGLES), ~np.uint64(0), dtype=np.uint64)
    mask = np.zeros(N_ANGLES, dtype=np.uint64)
    mask[100] = np.uint64(1 << 17)
    probe = IrisTemplate(code=codes[2].copy(), mask=mask)
    expected = [pair_distance(probe, IrisTemplate(code=codes[r], mask=masks[r])) for r in range(8)]
    threshold = expected[2][0]
    assert threshold == normalized_distance(0, 1)
    d, s, n = _scan(kind, probe, codes, masks, threshold)
    got = [(float(d[r]), int(s[r]), int(n[r])) for r in range(8)]
    assert got == expected  # every row has a matching bit at some shift: all are hits, none left
