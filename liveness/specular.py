"""Cue: corneal specular reflections must match the station's LED layout.

A tear film on a cornea mirrors each station LED as a small saturated spot at a fixed offset from
the pupil centre (the layout, scaled by the iris size). A print shows paper-white copies of the
attacker's LEDs (not saturated, often another layout); a display's glass mirrors the LEDs as a
flat mirror, away from the pupil; a glossy doll blooms them into wide halos. Per frame the spots
are matched to the layout by a least-squares scale (shape, plus a bounded common shift that gaze
causes); score = mean over frames of exp(-(residual / 0.15)^2) x spot-size plausibility, 0 for
frames with the wrong spot count or an implausible scale.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .pupil_finder import PupilObservation

SATURATED = 250
SCALE_RANGE_PX = (55.0, 170.0)  # iris radius in px the station's optics can produce
SPOT_RADIUS_PER_IRIS = 0.045  # spot radius relative to the iris radius on a human cornea
SEARCH_MIN_PX = 40
MAX_GAZE_SHIFT = 0.1  # iris radii the reflections may drift from the layout with gaze
FRAME_STEP = 2  # every other frame is enough and halves the cost


def saturated_spots(frame: np.ndarray, pupil: PupilObservation) -> list[tuple[float, float, int]]:
    """Saturated spots near the pupil: (x, y) centroid in frame px and area in px, per spot.

    The station's LEDs sit near the optical axis: their reflections fall in or near the pupil.
    """
    half = int(max(1.5 * pupil.radius, SEARCH_MIN_PX))
    x0, y0 = max(int(pupil.x) - half, 0), max(int(pupil.y) - half, 0)
    roi = frame[y0 : int(pupil.y) + half, x0 : int(pupil.x) + half]
    yy, xx = np.ogrid[y0 : y0 + roi.shape[0], x0 : x0 + roi.shape[1]]
    disc = (xx - pupil.x) ** 2 + (yy - pupil.y) ** 2 <= half * half
    mask = ((roi >= SATURATED) & disc).astype(np.uint8)
    count, _, stats, cents = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return [
        (float(cents[i][0] + x0), float(cents[i][1] + y0), int(stats[i, cv2.CC_STAT_AREA]))
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= 2
    ]


def _frame_score(frame: np.ndarray, pupil: PupilObservation, layout: np.ndarray) -> float:
    spots = saturated_spots(frame, pupil)
    if len(spots) != len(layout):
        return 0.0
    pos = np.array([(x - pupil.x, y - pupil.y) for x, y, _ in spots])
    pos = pos[np.argsort(pos[:, 0])]
    ref = layout[np.argsort(layout[:, 0])]
    # Gaze shifts all reflections together relative to the pupil (the pupil-glint vector of eye
    # trackers): match the constellation's shape and scale, and bound the common shift.
    pc, rc = pos - pos.mean(axis=0), ref - ref.mean(axis=0)
    scale = float(np.sum(pc * rc) / np.sum(rc * rc)) if len(ref) > 1 else float(pupil.radius / 0.4)
    if not SCALE_RANGE_PX[0] <= scale <= SCALE_RANGE_PX[1]:
        return 0.0
    shape_err = (
        float(np.linalg.norm(pc - scale * rc) / (np.linalg.norm(scale * rc) + 1e-9)) if len(ref) > 1 else 0.0
    )
    shift_err = float(np.linalg.norm(pos.mean(axis=0) - scale * ref.mean(axis=0)) / scale)
    residual = math.hypot(shape_err, max(shift_err - MAX_GAZE_SHIFT, 0.0) / MAX_GAZE_SHIFT * 0.15)
    expected_area = math.pi * (SPOT_RADIUS_PER_IRIS * scale) ** 2
    area = float(np.median([a for _, _, a in spots]))
    size = math.exp(-(math.log(max(area, 1.0) / expected_area) ** 2) / 0.8)
    return math.exp(-((residual / 0.15) ** 2)) * size


def specular_score(
    frames: np.ndarray, observations: tuple[PupilObservation, ...], leds: tuple[tuple[float, float], ...]
) -> float:
    """Score in [0, 1]: share of frames whose corneal reflections match the LED layout `leds`."""
    layout = np.asarray(leds, dtype=np.float64)
    scores = [
        _frame_score(frames[i], observations[i], layout) if observations[i].found else 0.0
        for i in range(0, len(frames), FRAME_STEP)
    ]
    return float(np.mean(scores))
