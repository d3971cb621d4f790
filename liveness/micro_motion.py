"""Cue: the eye moves inside the face. Fixational drift and microsaccades move the pupil relative
to the lids and skin; a print, a display or a doll moves only as one rigid piece, however much the
hand shakes. The face's motion is measured by phase correlation of every other frame with the
first, with the eye region masked out; the pupil's by the pupil finder. Score = log10 of the RMS
displacement (px) of the pupil relative to the face, floored at 0.05 px.

Every other frame (10 of a 20-frame sequence, 100 ms apart) because the phase correlations were a
third of an assessment's cost, and the cue carries no weight in the fusion (its attacks move more
than live eyes on the synthetic sets; see MODEL_CARD.md): it is reported, not decided on.
"""

from __future__ import annotations

import cv2
import numpy as np

from .pupil_finder import PupilObservation, estimate_iris_radius

SCALE = 0.5  # phase correlation at half resolution: ~0.1 px precision, a quarter of the cost
IRIS_MASK_FACTOR = 1.1  # hide the iris (and what moves with it) from the face-motion estimate
FLOOR_PX = 0.05
FRAME_STEP = 2  # every other frame


def _face_window(shape: tuple[int, int], x: float, y: float, iris_radius: float) -> np.ndarray:
    h, w = shape
    window = cv2.createHanningWindow((w, h), cv2.CV_32F)
    hole = np.ones((h, w), np.float32)
    cv2.circle(hole, (int(x * SCALE), int(y * SCALE)), int(IRIS_MASK_FACTOR * iris_radius * SCALE), 0.0, -1)
    return window * cv2.GaussianBlur(hole, (0, 0), 4.0)


def _high_pass(frame: np.ndarray) -> np.ndarray:
    # Without the local mean, the static window edge cannot pull the correlation peak to zero,
    # and the light step does not matter.
    small = cv2.resize(frame, None, fx=SCALE, fy=SCALE, interpolation=cv2.INTER_AREA).astype(np.float32)
    return small - cv2.GaussianBlur(small, (0, 0), 4.0)


def face_shift(base: np.ndarray, frame: np.ndarray, window: np.ndarray) -> tuple[float, float]:
    """(dx, dy) px of `frame` against `base` (both high-passed, float32) by phase correlation
    under `window`. OpenCV (5.0) multiplies its inputs by the window in place: given the arrays
    themselves, the reference would be windowed once more by every frame it is compared with, and
    the later frames' shifts would drift (0.7 px off on a rigidly moving eye). So it gets copies."""
    (dx, dy), _ = cv2.phaseCorrelate(base.copy(), frame.copy(), window)
    return float(dx), float(dy)


def relative_motion(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> np.ndarray:
    """(k, 2) pupil displacement relative to the face (px), for every FRAME_STEP-th frame where the
    pupil was found, relative to the first of them."""
    found = [i for i in range(0, len(observations), FRAME_STEP) if observations[i].found]
    if len(found) < 3:
        return np.zeros((0, 2))
    small = [_high_pass(frames[i]) for i in found]
    ref = observations[found[0]]
    iris = estimate_iris_radius(frames[found[0]], ref)
    iris = iris if np.isfinite(iris) else 3.0 * ref.radius
    window = _face_window(small[0].shape, ref.x, ref.y, iris)
    out = [(0.0, 0.0)]  # the reference frame, against itself
    for k, i in enumerate(found[1:], start=1):
        fx, fy = face_shift(small[0], small[k], window)
        o = observations[i]
        out.append((o.x - ref.x - fx / SCALE, o.y - ref.y - fy / SCALE))
    return np.asarray(out)


def micro_motion_score(frames: np.ndarray, observations: tuple[PupilObservation, ...]) -> float:
    """Score: log10 RMS pupil-vs-face displacement in px (live ~0 .. 0.5, rigid ~-1)."""
    d = relative_motion(frames, observations)
    if len(d) == 0:
        return float(np.log10(FLOOR_PX))
    d = d - np.median(d, axis=0)
    rms = float(np.sqrt(np.mean(np.sum(d**2, axis=1))))
    return float(np.log10(max(rms, FLOOR_PX)))
