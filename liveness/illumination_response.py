"""Cue: does the scene's brightness follow the station's illuminator?

Reflective things (skin, a live eye, paper, a doll) brighten in proportion to the light: the
log-brightness of a frame rises with slope ~1 in the log illuminator level. A display emits its
own light (slope ~0), and a replayed video brightens when its recording's light stepped, not ours.
Score = R^2 of the log-log fit x (1 - |slope - 1|), in [-1, 1].
"""

from __future__ import annotations

import numpy as np

from hardware.illumination import IlluminationSchedule

SATURATED = 250  # pixels at or above this no longer measure the light
SUBSAMPLE = 8


def illumination_response_score(frames: np.ndarray, schedule: IlluminationSchedule) -> float:
    """Score in [-1, 1]: ~1 when frame brightness is proportional to the illuminator level."""
    x = np.log(np.asarray(schedule.levels))
    if np.ptp(x) < 1e-6:
        return 0.0  # a constant light cannot test anything
    small = frames[:, ::SUBSAMPLE, ::SUBSAMPLE].astype(np.float32)
    usable = (small < SATURATED).all(axis=0)  # same pixels in every frame
    if usable.mean() < 0.05:
        return -1.0
    y = np.log(small[:, usable].mean(axis=1) + 1.0)
    slope, intercept = np.polyfit(x, y, 1)
    resid = y - (slope * x + intercept)
    r2 = 1.0 - float(np.sum(resid**2)) / (float(np.sum((y - y.mean()) ** 2)) + 1e-9)
    return float(np.clip(max(r2, 0.0) * (1.0 - min(abs(slope - 1.0), 2.0)), -1.0, 1.0))
