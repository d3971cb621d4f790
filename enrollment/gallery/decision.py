"""The duplicate decision: threshold from the gallery size, one logged line per decision (never bits).

A new enrollment is a duplicate when its best distance to any enrolled template is <= threshold.
Each of the N enrolled templates is a chance of a false match, so the expected number of false
duplicates for an honest newcomer is about N * FMR(threshold): the threshold must fall as the
gallery grows. `threshold_for_gallery_size` picks the largest threshold whose expected false
duplicates stay under a target, from a table of (distance, per-comparison false match rate).

The default table is Daugman's published single-eye figures (shared/BIOMETRICS.md; Daugman,
"How iris recognition works", IEEE TCSVT 2004, Table 1), interpolated log-linearly. They hold for
his codes normalized to 911 bits; replace them with the FMR measured on this pipeline
(`FmrPoint` rows from the iris evaluation) before trusting a threshold in production.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import GalleryInputError
from .results import GalleryMatch, SearchResult

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FmrPoint:
    """Per-comparison false match rate at a distance threshold, and where the figure comes from."""

    threshold: float
    false_match_rate: float
    source: str


DAUGMAN_FMR: tuple[FmrPoint, ...] = (
    FmrPoint(0.30, 1 / 1.5e9, "Daugman 2004, single eye"),
    FmrPoint(0.32, 1 / 26e6, "Daugman 2004, single eye"),
    FmrPoint(0.33, 1 / 4e6, "Daugman 2004, single eye"),
)
# An honest newcomer should be refused as a "duplicate" by chance at most once per 1,000 enrollments.
DEFAULT_MAX_FALSE_DUPLICATES = 1e-3


@dataclass(frozen=True)
class ThresholdChoice:
    """A threshold, its per-comparison FMR, and the expected false duplicates at a gallery size."""

    threshold: float
    false_match_rate: float
    gallery_size: int
    expected_false_duplicates: float
    meets_target: bool


@dataclass(frozen=True)
class DedupDecision:
    """The outcome of one 1:N check: duplicate or not, and the evidence (no template bits)."""

    duplicate: bool
    threshold: float
    best: GalleryMatch | None
    matches: int
    searched: int


def false_match_rate_at(threshold: float, table: Sequence[FmrPoint] = DAUGMAN_FMR) -> float:
    """Per-comparison FMR at `threshold`, log-linear between table rows; outside the table it raises."""
    rows = sorted(table, key=lambda p: p.threshold)
    if not rows or not rows[0].threshold <= threshold <= rows[-1].threshold:
        raise GalleryInputError(
            f"threshold {threshold} is outside the FMR table ({rows[0].threshold}..{rows[-1].threshold})"
        )
    for lo, hi in itertools.pairwise(rows):
        if lo.threshold <= threshold <= hi.threshold:
            t = (threshold - lo.threshold) / (hi.threshold - lo.threshold)
            return math.exp((1 - t) * math.log(lo.false_match_rate) + t * math.log(hi.false_match_rate))
    return rows[0].false_match_rate


def threshold_for_gallery_size(
    gallery_size: int,
    max_false_duplicates: float = DEFAULT_MAX_FALSE_DUPLICATES,
    table: Sequence[FmrPoint] = DAUGMAN_FMR,
) -> ThresholdChoice:
    """The largest threshold with gallery_size * FMR <= max_false_duplicates (never extrapolated).

    When even the table's strictest row misses the target, that row is returned with
    `meets_target=False`: measure a lower FMR point, or require both eyes.
    """
    if isinstance(gallery_size, bool) or not isinstance(gallery_size, int) or gallery_size < 0:
        raise GalleryInputError(f"gallery size must be a non-negative integer, got {gallery_size!r}")
    if not 0 < max_false_duplicates < 1:
        raise GalleryInputError("max_false_duplicates must be in (0, 1)")
    rows = sorted(table, key=lambda p: p.threshold)
    size = max(gallery_size, 1)
    target_fmr = max_false_duplicates / size
    if target_fmr >= rows[-1].false_match_rate:
        chosen = rows[-1].threshold
    elif target_fmr < rows[0].false_match_rate:
        chosen = rows[0].threshold
    else:
        lo_t, hi_t = rows[0].threshold, rows[-1].threshold
        for _ in range(60):  # bisection on the monotone interpolated FMR
            mid = (lo_t + hi_t) / 2
            lo_t, hi_t = (mid, hi_t) if false_match_rate_at(mid, rows) <= target_fmr else (lo_t, mid)
        chosen = lo_t
    fmr = false_match_rate_at(chosen, rows)
    expected = size * fmr
    return ThresholdChoice(chosen, fmr, gallery_size, expected, expected <= max_false_duplicates * (1 + 1e-9))


def decide(result: SearchResult) -> DedupDecision:
    """Duplicate when any enrolled record is within the result's threshold; logs the decision."""
    decision = DedupDecision(
        duplicate=result.is_duplicate,
        threshold=result.threshold,
        best=result.best,
        matches=len(result.matches),
        searched=result.searched,
    )
    if decision.best is None:
        logger.info(
            "dedup: unique (threshold %.4f, %d records searched)", decision.threshold, decision.searched
        )
    else:
        logger.info(
            "dedup: DUPLICATE of record %d (distance %.4f, shift %d, %d bits; threshold %.4f; "
            "%d match(es); %d searched)",
            decision.best.record_id,
            decision.best.distance,
            decision.best.shift,
            decision.best.bits_compared,
            decision.threshold,
            decision.matches,
            decision.searched,
        )
    return decision
