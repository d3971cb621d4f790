"""Verification error rates from genuine and impostor distance scores (ISO/IEC 19795-1 terms).

A comparison is a match when its distance is <= the threshold. FMR(t) is the fraction of
impostor scores <= t, FNMR(t) the fraction of genuine scores > t. Pure functions, no I/O.
"""

from __future__ import annotations

import numpy as np

TARGET_FMRS = (1e-3, 1e-4, 1e-5)


def _sorted(scores: np.ndarray) -> np.ndarray:
    scores = np.sort(np.asarray(scores, dtype=np.float64).ravel())
    if scores.size == 0:
        raise ValueError("need at least one score")
    return scores


def threshold_at_fmr(impostor: np.ndarray, fmr: float) -> float | None:
    """The largest threshold whose FMR is <= `fmr`; None when the impostor set cannot resolve `fmr`.

    Resolving an FMR needs at least 1/fmr impostor comparisons: with fewer, "no false match
    seen" says nothing about the rate at that level.
    """
    imp = _sorted(impostor)
    if imp.size * fmr < 1.0:
        return None
    allowed = int(np.floor(fmr * imp.size))  # false matches tolerated
    values = np.unique(imp)
    counts = np.searchsorted(imp, values, side="right")
    ok = values[counts <= allowed]
    return float(ok.max()) if ok.size else float(np.nextafter(values[0], -np.inf))


def fnmr_at_threshold(genuine: np.ndarray, threshold: float) -> float:
    """Fraction of genuine comparisons rejected at `threshold`."""
    gen = _sorted(genuine)
    return float(1.0 - np.searchsorted(gen, threshold, side="right") / gen.size)


def fmr_at_threshold(impostor: np.ndarray, threshold: float) -> float:
    """Fraction of impostor comparisons accepted at `threshold`."""
    imp = _sorted(impostor)
    return float(np.searchsorted(imp, threshold, side="right") / imp.size)


def det_curve(genuine: np.ndarray, impostor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(thresholds, FMR, FNMR) at every distinct score."""
    gen, imp = _sorted(genuine), _sorted(impostor)
    thresholds = np.unique(np.concatenate([gen, imp]))
    fmr = np.searchsorted(imp, thresholds, side="right") / imp.size
    fnmr = 1.0 - np.searchsorted(gen, thresholds, side="right") / gen.size
    return thresholds, fmr, fnmr


def equal_error_rate(genuine: np.ndarray, impostor: np.ndarray) -> float:
    """The EER: where FMR and FNMR cross (0.0 when the two score sets are fully separated)."""
    _, fmr, fnmr = det_curve(genuine, impostor)
    # Include the threshold below every score (FMR 0, FNMR 1) so the crossing is always bracketed.
    fmr, fnmr = np.concatenate([[0.0], fmr]), np.concatenate([[1.0], fnmr])
    i = int(np.argmax(fmr >= fnmr))  # first threshold where FMR catches up with FNMR
    if i == 0:
        return 0.0
    # Of the two operating points around the crossing, report the closer one's mean rate.
    j = i if abs(fmr[i] - fnmr[i]) <= abs(fmr[i - 1] - fnmr[i - 1]) else i - 1
    return float((fmr[j] + fnmr[j]) / 2)


def summarize(genuine: np.ndarray, impostor: np.ndarray, fmrs: tuple[float, ...] = TARGET_FMRS) -> dict:
    """EER, FNMR and threshold at each target FMR (None where the data cannot resolve it)."""
    out: dict[str, object] = {
        "eer": equal_error_rate(genuine, impostor),
        "fnmr_at_fmr": {},
        "threshold_at_fmr": {},
    }
    for fmr in fmrs:
        key = f"{fmr:.0e}".replace("e-0", "e-")
        t = threshold_at_fmr(impostor, fmr)
        out["threshold_at_fmr"][key] = t  # type: ignore[index]
        out["fnmr_at_fmr"][key] = None if t is None else fnmr_at_threshold(genuine, t)  # type: ignore[index]
    return out
