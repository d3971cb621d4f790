"""Generalized FNMR (ISO/IEC 19795-1): a capture that fails to enroll fails its comparisons.

FNMR over enrolled images alone rewards a quality gate for refusing hard captures: the refused
person is not matched either, but no score records it. The generalized rate counts every genuine
attempt, scoring each pair with a refused image as a false non-match. Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable

import numpy as np

from .metrics import TARGET_FMRS, fnmr_at_threshold


def failed_genuine_pairs(all_labels: Iterable[Hashable], enrolled_labels: Iterable[Hashable]) -> int:
    """Same-eye pairs with at least one image that failed to enroll.

    `all_labels`: the eye label of every image tried; `enrolled_labels`: of those that enrolled.
    An eye with n images of which e enrolled contributes C(n, 2) - C(e, 2).
    """
    tried, enrolled = Counter(all_labels), Counter(enrolled_labels)
    if any(enrolled[label] > tried[label] for label in enrolled):
        raise ValueError("more enrolled images than tried for some eye")
    return sum(n * (n - 1) // 2 - enrolled[label] * (enrolled[label] - 1) // 2 for label, n in tried.items())


def generalized_fnmr(genuine: np.ndarray, threshold: float, failed_pairs: int) -> float:
    """(rejected genuine comparisons + failed pairs) / (genuine comparisons + failed pairs)."""
    genuine = np.asarray(genuine, dtype=np.float64).ravel()
    total = genuine.size + failed_pairs
    if total == 0:
        raise ValueError("no genuine attempt to score")
    rejected = fnmr_at_threshold(genuine, threshold) * genuine.size if genuine.size else 0.0
    return float((round(rejected) + failed_pairs) / total)


def gfnmr_at_fmr(summary: dict, genuine: np.ndarray, failed_pairs: int, fmrs=TARGET_FMRS) -> dict:
    """The generalized FNMR at each of `summary`'s thresholds (None where it has none)."""
    out: dict[str, float | None] = {}
    for fmr in fmrs:
        key = f"{fmr:.0e}".replace("e-0", "e-")
        t = summary["threshold_at_fmr"].get(key)
        out[key] = None if t is None else generalized_fnmr(genuine, t, failed_pairs)
    return out
