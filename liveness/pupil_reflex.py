"""Cue: the pupil light reflex. A live pupil constricts after the light steps up, on time.

The measured pupil radius series is compared with the response a nominal reflex would give to
this schedule, for latencies 150-400 ms (physiological range with margin; Ellis 1981, Czajka
2015). Score = best fitted amplitude (relative to nominal, capped) x fit quality R^2 over those
latencies, with an instantaneous step term absorbing brightness-dependent measurement bias (no
pupil reacts in under 150 ms): ~1 for a live eye, ~0 for a printed or painted pupil, low for a
replayed pupil whose
constriction follows another light at another time.
"""

from __future__ import annotations

import numpy as np

from hardware.illumination import IlluminationSchedule, PupilReflex

from .pupil_finder import PupilObservation

LATENCIES_S = tuple(np.arange(0.15, 0.401, 0.025))
NOMINAL = PupilReflex(escape=0.0, hippus=0.0)
MIN_FOUND_SHARE = 0.6  # below this many frames with a pupil, the cue reports its floor
FLOOR = -0.5


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
        coef, *_ = np.linalg.lstsq(A, y, rcond=None)
        a = coef[0]
        resid = y - A @ coef
        total = float(np.sum((y - y.mean()) ** 2)) + 1e-4 * y.size  # floor: a flat series is no fit
        r2 = max(0.0, 1.0 - float(np.sum(resid**2)) / total)
        best = max(best, float(np.clip(a, -1.0, 1.5)) * r2)
    return float(best)
