"""Cue: the pupil light reflex. A live pupil constricts after the light steps up, on time.

The measured pupil radius series (`liveness.pupil_edge`) is compared with the response a nominal
reflex would give to this schedule, for latencies 150-400 ms (physiological range with margin;
Ellis 1981, Czajka 2015), with an instantaneous step term absorbing brightness-dependent
measurement bias (no pupil reacts in under 150 ms). The fit is robust (Tukey's biweight, scale
from the residuals' MAD): a frame where the pupil was mismeasured (a blink, a lash, a reflection
on the edge) is weighed down instead of spoiling the fit, but frames that do not fit count
against the score.

Score = amplitude (relative to nominal, capped at 1.5) x R^2 of the inliers x the inliers' share
of all frames x plausibility of the amplitude, best over the latencies: ~1 for a live eye, ~0
for a printed or painted pupil, low for a replayed pupil whose constriction follows another light
at another time. Plausibility: people's reflex gains span 0.18-0.38 per log unit (nominal 0.28,
`hardware.illumination.PupilReflex`), so a fitted amplitude past 1.6x nominal is measurement
trouble, and past 2.4x none at all: it scores 0 (a pupil finder jumping between two edges).
"""

from __future__ import annotations

import numpy as np

from hardware.illumination import IlluminationSchedule
from liveness.pupil_physiology import PupilReflex

from .order_stats import median
from .pupil_finder import PupilObservation

LATENCIES_S = tuple(np.arange(0.15, 0.401, 0.025))
NOMINAL = PupilReflex(escape=0.0, hippus=0.0)
MIN_FOUND_SHARE = 0.6  # below this many frames with a pupil (or with inliers), the fit does not count
FLOOR = -0.5
TUKEY_C = 4.685  # biweight tuning constant: 95% efficiency for Gaussian residuals
NOISE_FLOOR = 0.006  # relative radius; the edge is measured to ~0.2 px at a 35 px pupil
ROBUST_ITERATIONS = 8
PLAUSIBLE_AMPLITUDE = (1.6, 2.4)  # relative to nominal: full credit up to, none from


def expected_response(schedule: IlluminationSchedule, latency_s: float) -> np.ndarray:
    """Relative radius change per frame that the nominal reflex predicts at `latency_s`."""
    model = PupilReflex(
        latency_s=latency_s,
        escape=0.0,
        hippus=0.0,
        gain=NOMINAL.gain,
        tau_constrict_s=NOMINAL.tau_constrict_s,
    )
    return model.relative_response(schedule)


def biweight_fit(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Robust least squares y ~ A @ coef by iteratively reweighted Tukey biweight: (coef, weights).

    Starts from ordinary least squares; residual scale = 1.4826 MAD of the current inliers,
    never below NOISE_FLOOR. A weight of 0 marks an outlier.
    """
    w = np.ones_like(y)
    coef = np.zeros(A.shape[1])
    for _ in range(ROBUST_ITERATIONS):
        root = np.sqrt(w)
        coef, *_ = np.linalg.lstsq(A * root[:, None], y * root, rcond=None)
        resid = y - A @ coef
        scale = max(1.4826 * median(np.abs(resid[w > 0])), NOISE_FLOOR)
        u = resid / (TUKEY_C * scale)
        w = np.where(np.abs(u) < 1.0, (1.0 - u * u) ** 2, 0.0)
        if not (w > 0).any():
            break
    return coef, w


def plausibility(amplitude: float) -> float:
    """1 for a reflex amplitude a person can have, falling to 0 at PLAUSIBLE_AMPLITUDE[1]."""
    lo, hi = PLAUSIBLE_AMPLITUDE
    return float(np.clip((hi - amplitude) / (hi - lo), 0.0, 1.0))


def pupil_reflex_score(observations: tuple[PupilObservation, ...], schedule: IlluminationSchedule) -> float:
    """Score in [FLOOR, 1.5]: how well the pupil answered the schedule's light steps."""
    radius = np.array([o.radius if o.found else np.nan for o in observations])
    found = np.isfinite(radius)
    if found.mean() < MIN_FOUND_SHARE or not schedule.steps:
        return FLOOR
    t = np.asarray(schedule.times_s)
    before = found & (t < schedule.steps[0][0] + LATENCIES_S[0])
    if before.sum() < 1:
        return FLOOR
    rel = radius / np.median(radius[before]) - 1.0
    # Brightness itself biases the measured radius a little, instantly; physiology needs >= 150 ms.
    # An instantaneous step term absorbs the bias so that only a delayed response scores.
    instant = np.zeros_like(t)
    for t_step, dlog in schedule.steps:
        instant += dlog * (t > t_step)
    best = FLOOR
    y = rel[found]
    for latency in LATENCIES_S:
        g = expected_response(schedule, latency)[found]
        A = np.stack([g, instant[found], np.ones_like(g)], axis=1)
        coef, w = biweight_fit(A, y)
        inliers = w > 0
        share = inliers.sum() / radius.size
        if share < MIN_FOUND_SHARE:
            continue
        a = float(coef[0])
        resid = (y - A @ coef)[inliers]
        yi = y[inliers]
        total = float(np.sum((yi - yi.mean()) ** 2)) + 1e-4 * yi.size  # floor: a flat series is no fit
        r2 = max(0.0, 1.0 - float(np.sum(resid**2)) / total)
        best = max(best, float(np.clip(a, -1.0, 1.5)) * r2 * share * plausibility(a))
    return float(best)
