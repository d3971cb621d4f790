"""How blurred a capture is, measured on the corneal reflections of the station's LEDs.

A corneal reflection is the image of a small, very bright LED: a disc that saturates the sensor,
with an edge far sharper than any iris feature. Blur (defocus, a motion streak) spreads it into a
skirt outside the saturated core. Along rays from the spot's centre, the skirt is the distance
from where saturation ends to where the profile has come a quarter of the way down to the local
background (both crossings interpolated to a fraction of a pixel); it grows with the blur's width.
Per reflection the worst direction counts (mean of two opposite rays, so that a motion streak
shows); per sequence, the median over the reflections of every other frame. Only the largest
saturated spots, as many as the station has LEDs, are taken: after the light steps up, bright
specks of iris and sclera saturate too, and their edges are texture, not the blur.

Only the reflections are trusted for this: a cosmetic lens replaces the iris texture, and a
blurred lens print is what the texture model cannot see. Measured on synthetic captures
(MODEL_CARD.md): ~1.6-2.1 px for sharp eyes, ~2.3-3 px beyond 1.5 px of defocus. NaN when no
reflection could be measured (a print or a screen has none that saturates).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .pupil_finder import PupilObservation
from .specular import saturated_spots

CORE_LEVEL = 240.0  # below this, a pixel is outside the saturated core
MIN_CONTRAST = 60.0  # grey levels between the core and the background, else the ray is not used
SKIRT_FRACTION = 0.25  # the skirt ends a quarter of the way from the core level to the background
RAYS = 24  # directions per reflection (12 opposite pairs)
STEP_PX = 0.125  # sampling step along a ray
RAY_PX = 14.0  # how far a ray reaches from the spot centre
SKIRT_SEARCH_PX = 6.0  # how far past the core edge the background minimum is looked for
MIN_SPOT_AREA = 4  # px; smaller saturated specks are noise
FRAME_STEP = 2  # every other frame

_ANGLES = np.linspace(0.0, 2.0 * np.pi, RAYS, endpoint=False)
_STEPS = np.arange(0.0, RAY_PX, STEP_PX)


def ray_skirt(profile: np.ndarray) -> float:
    """Skirt width in px of one ray's grey profile (starting inside the core); NaN if unusable."""
    below = np.flatnonzero(profile < CORE_LEVEL)
    if below.size == 0 or below[0] == 0:
        return math.nan
    j = int(below[0])
    tail = profile[j : j + int(SKIRT_SEARCH_PX / STEP_PX)]
    background = float(tail.min())
    if CORE_LEVEL - background < MIN_CONTRAST:
        return math.nan
    level = background + SKIRT_FRACTION * (CORE_LEVEL - background)
    k = int(np.flatnonzero(tail < level)[0])  # exists: the minimum is below `level`
    edge = j - 1 + (profile[j - 1] - CORE_LEVEL) / max(float(profile[j - 1] - profile[j]), 1e-6)
    if k == 0:
        foot = float(j)
    else:
        foot = j + k - 1 + (tail[k - 1] - level) / max(float(tail[k - 1] - tail[k]), 1e-6)
    return float(foot - edge) * STEP_PX


def ray_skirts(profiles: np.ndarray) -> np.ndarray:
    """`ray_skirt` of every row of a (rays, samples) float array at once, with the same arithmetic
    in the profiles' dtype, so to the bit the same values: NaN where a ray is not usable."""
    dtype = profiles.dtype.type
    out = np.full(profiles.shape[0], math.nan)
    below = profiles < CORE_LEVEL
    j = np.argmax(below, axis=1)  # where each ray leaves the core
    rows = np.flatnonzero(below.any(axis=1) & (j > 0))
    j = j[rows]
    idx = j[:, None] + np.arange(int(SKIRT_SEARCH_PX / STEP_PX))[None, :]
    last = profiles.shape[1] - 1
    tail = np.where(idx <= last, profiles[rows[:, None], np.minimum(idx, last)], np.inf).astype(dtype)
    background = tail.min(axis=1).astype(np.float64)
    contrast = CORE_LEVEL - background >= MIN_CONTRAST
    rows, j, tail, background = rows[contrast], j[contrast], tail[contrast], background[contrast]
    level = (background + SKIRT_FRACTION * (CORE_LEVEL - background)).astype(dtype)
    k = np.argmax(tail < level[:, None], axis=1)  # exists: the minimum is below `level`
    inside, outside = profiles[rows, j - 1], profiles[rows, j]
    step = np.maximum((inside - outside).astype(np.float64), 1e-6).astype(dtype)
    edge = (j - 1).astype(dtype) + (inside - dtype(CORE_LEVEL)) / step
    rows_k = np.arange(rows.size)
    before, after = tail[rows_k, np.maximum(k - 1, 0)], tail[rows_k, k]
    fall = np.maximum((before - after).astype(np.float64), 1e-6).astype(dtype)
    foot = np.where(k == 0, j.astype(dtype), (j + k - 1).astype(dtype) + (before - level) / fall)
    out[rows] = (foot - edge).astype(np.float64) * STEP_PX
    return out


def spot_skirt(frame: np.ndarray, x: float, y: float) -> float:
    """The skirt of the reflection centred at (x, y), in its most blurred direction; NaN if fewer
    than half of the rays could be measured."""
    xs = (x + np.cos(_ANGLES)[:, None] * _STEPS[None, :]).astype(np.float32)
    ys = (y + np.sin(_ANGLES)[:, None] * _STEPS[None, :]).astype(np.float32)
    profiles = cv2.remap(frame.astype(np.float32), xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    skirts = ray_skirts(profiles)
    if np.count_nonzero(np.isfinite(skirts)) < RAYS // 2:
        return math.nan
    pairs = np.stack([skirts[: RAYS // 2], skirts[RAYS // 2 :]])
    with np.errstate(invalid="ignore"):
        both = np.where(np.isfinite(pairs).all(axis=0), pairs.mean(axis=0), np.nan)
    return float(np.nanmax(both)) if np.isfinite(both).any() else math.nan


def glint_blur(frames: np.ndarray, observations: tuple[PupilObservation, ...], n_leds: int) -> float:
    """Median reflection skirt in px over the sequence (larger = more blurred), measured on the
    `n_leds` largest saturated spots near the pupil of every other frame; NaN when none."""
    skirts = []
    for i in range(0, len(frames), FRAME_STEP):
        if not observations[i].found:
            continue
        spots = sorted(saturated_spots(frames[i], observations[i]), key=lambda s: -s[2])[:n_leds]
        skirts.extend(spot_skirt(frames[i], x, y) for x, y, area in spots if area >= MIN_SPOT_AREA)
    measured = [s for s in skirts if math.isfinite(s)]
    return float(np.median(measured)) if measured else math.nan
