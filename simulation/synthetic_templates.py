"""Synthetic packed templates with realistic bit densities, for benchmarks and tests (no real eyes).

Codes are uniform random bits. Masks imitate a segmented iris: the upper eyelid hides the outer
radii over an arc of columns centred on the top of the eye, the lower eyelid a smaller arc at the
bottom, and ~3% of the remaining bits are fragile; about 75-85% of the mask bits end up set.
"""

from __future__ import annotations

import numpy as np

from enrollment.iris.template import N_ANGLES, N_FILTERS, N_PHASES, N_RADII, IrisTemplate

# Bit (filter * 16 + radius) * 2 + phase of a column word; `_RADIUS_AT_OR_ABOVE[r]` selects radii >= r.
_BIT_RADIUS = np.array(
    [r for f in range(N_FILTERS) for r in range(N_RADII) for p in range(N_PHASES)], dtype=np.int64
)
_RADIUS_AT_OR_ABOVE = np.array(
    [int(sum(1 << b for b in range(64) if _BIT_RADIUS[b] >= r)) for r in range(N_RADII + 1)],
    dtype=np.uint64,
)
MASK_BANK = 4096
FRAGILE_AND_WORDS = 5  # a bit is fragile when 5 random bits are all set: 1/32, about 3%


def random_templates(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` unrelated templates as (codes, masks), uint64[count, 256] each.

    Beyond MASK_BANK templates the masks are drawn from a bank of MASK_BANK distinct masks (codes
    stay unique): it keeps a million-template benchmark gallery quick to make.
    """
    codes = rng.integers(0, 2**64, size=(count, N_ANGLES), dtype=np.uint64, endpoint=False)
    bank = _masks(rng, min(count, MASK_BANK))
    masks = bank if count <= MASK_BANK else bank[rng.integers(0, MASK_BANK, size=count)]
    return codes, masks


def _masks(rng: np.random.Generator, count: int) -> np.ndarray:
    masks = np.full((count, N_ANGLES), ~np.uint64(0), dtype=np.uint64)
    column = np.arange(N_ANGLES)
    for centre, half_width, depth in (
        (N_ANGLES // 4, (20, 45), (5, 12)),
        (3 * N_ANGLES // 4, (5, 25), (2, 7)),
    ):
        width = rng.integers(*half_width, size=count)[:, None]
        start_radius = N_RADII - rng.integers(*depth, size=count)[:, None]
        off = np.abs(
            (column[None, :] - centre - rng.integers(-8, 9, size=count)[:, None] + 128) % N_ANGLES - 128
        )
        masks &= ~np.where(off < width, _RADIUS_AT_OR_ABOVE[start_radius], np.uint64(0))
    fragile = rng.integers(0, 2**64, size=(count, N_ANGLES), dtype=np.uint64, endpoint=False)
    for _ in range(FRAGILE_AND_WORDS - 1):
        fragile &= rng.integers(0, 2**64, size=(count, N_ANGLES), dtype=np.uint64, endpoint=False)
    return masks & ~fragile


def recapture(
    template: IrisTemplate,
    rng: np.random.Generator,
    flip_fraction: float,
    shift: int,
    mask_change: float = 0.05,
) -> IrisTemplate:
    """Another 'capture' of the same eye: rotated by `shift` columns, `flip_fraction` of bits flipped,
    `mask_change` of the mask bits toggled."""
    flips = np.packbits(rng.random((N_ANGLES, 64)) < flip_fraction, axis=-1, bitorder="little").view("<u8")
    toggles = np.packbits(rng.random((N_ANGLES, 64)) < mask_change, axis=-1, bitorder="little").view("<u8")
    code = np.roll(template.code ^ flips[:, 0].astype(np.uint64), shift)
    mask = np.roll(template.mask ^ toggles[:, 0].astype(np.uint64), shift)
    return IrisTemplate(code=code, mask=mask)
