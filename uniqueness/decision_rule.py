"""The deployment's duplicate rule over one or both eyes: pure, no I/O.

Rule: a probe is a duplicate of an enrolled person when that person's record is within the
per-eye threshold t on EVERY eye the deployment stores (one eye, or both). The left and right
irises of one person are as unrelated as two people's (Daugman, "How iris recognition works",
IEEE TCSVT 2004, §8: genetically identical eyes give impostor-like distances), so with k eyes the
per-person false match rate is FMR(t)^k. t is the largest table threshold with

    N * FMR(t)^k <= max_false_duplicates            (N = records in the gallery)

With both eyes the table's loosest row (0.33, FMR 1/4e6 per eye, 1/1.6e13 per person) holds the
default target (1e-3 expected false duplicates per enrollment) up to N = 1.6e10 people, whereas
one eye has to tighten to 0.30 (1/1.5e9) by N = 1.5e6 and misses the target beyond.
A match on one eye only is not a duplicate; it is reported (and audit-logged) as `partial`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from enrollment.gallery import (
    DAUGMAN_FMR,
    FmrPoint,
    SearchResult,
    ThresholdChoice,
    threshold_for_gallery_size,
)
from enrollment.gallery.decision import DEFAULT_MAX_FALSE_DUPLICATES


@dataclass(frozen=True)
class EyeMatch:
    """One enrolled record's distance on one eye (ids and distances only, never bits)."""

    eye: str
    record_id: int
    distance: float


@dataclass(frozen=True)
class PairDecision:
    """Duplicate or not, the matched record (when duplicate), the per-eye evidence and the threshold."""

    duplicate: bool
    record_id: int | None
    evidence: tuple[EyeMatch, ...]
    partial: int  # records matched on some eyes searched but not all (the service's cascade scores the
    # right eye only among left-eye matches, so there: left-eye matches the right eye did not confirm)
    threshold: float
    person_fmr: float
    searched: int


def person_table(eyes: int, table: tuple[FmrPoint, ...] = DAUGMAN_FMR) -> tuple[FmrPoint, ...]:
    """The per-person FMR table for a rule over `eyes` independent eyes: FMR^eyes at each threshold."""
    return tuple(
        FmrPoint(p.threshold, p.false_match_rate**eyes, f"{p.source}, ^{eyes} (eyes independent)")
        for p in table
    )


def choose_threshold(
    gallery_size: int, eyes: int, max_false_duplicates: float = DEFAULT_MAX_FALSE_DUPLICATES
) -> ThresholdChoice:
    """The per-eye threshold for a gallery of `gallery_size` people under the all-eyes rule."""
    return threshold_for_gallery_size(gallery_size, max_false_duplicates, person_table(eyes))


def decide_pair(results: Mapping[str, SearchResult], choice: ThresholdChoice) -> PairDecision:
    """Apply the all-eyes rule to per-eye search results made at `choice.threshold`."""
    per_eye = {eye: {m.record_id: m.distance for m in r.matches} for eye, r in results.items()}
    common = set.intersection(*(set(d) for d in per_eye.values())) if per_eye else set()
    touched = set().union(*(set(d) for d in per_eye.values())) if per_eye else set()
    best = min(common, key=lambda rid: (max(d[rid] for d in per_eye.values()), rid)) if common else None
    evidence: tuple[EyeMatch, ...] = ()
    if best is not None:
        evidence = tuple(EyeMatch(eye, best, d[best]) for eye, d in per_eye.items())
    else:  # the closest single-eye match, if any: worth an audit line, not a refusal
        singles = [EyeMatch(eye, rid, dist) for eye, d in per_eye.items() for rid, dist in d.items()]
        evidence = tuple(sorted(singles, key=lambda m: (m.distance, m.record_id))[:1])
    searched = max((r.searched for r in results.values()), default=0)
    return PairDecision(
        duplicate=best is not None,
        record_id=best,
        evidence=evidence,
        partial=len(touched - common),
        threshold=choice.threshold,
        person_fmr=choice.false_match_rate,
        searched=searched,
    )
