"""What the station camera records of a live eye under an illuminator schedule (the stand-in for a
real person in front of a real camera): fixational eye movements, head sway, sensor noise, and the
pupil following `liveness.pupil_physiology.PupilReflex`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from hardware.illumination import FRAME_SHAPE, IlluminationSchedule
from liveness.pupil_physiology import PupilReflex

from .synthetic_eye import CaptureConditions, CornealOverlay, EyeIdentity, render_eye_with_truth

RATIO_STEP = 0.003  # pupil ratios closer than this share one render (0.3 px at a 100 px iris)


@dataclass(frozen=True)
class MicroMotion:
    """Fixational eye movements and head sway, in pixels of the 640x480 capture.

    drift_px: random-walk step std per frame of the eye (gaze) relative to the head.
    saccade_prob / saccade_px: chance per frame of a microsaccade and its size.
    head_px: random-walk step std per frame of the whole face (chin rest sway).
    """

    drift_px: float = 0.35
    saccade_prob: float = 0.12
    saccade_px: float = 2.0
    head_px: float = 0.5

    def trajectories(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(eye offset relative to head, head offset), each an (n, 2) float array in px, first row 0."""
        eye = rng.normal(0.0, self.drift_px, size=(n, 2))
        jumps = rng.random(n) < self.saccade_prob
        angles = rng.uniform(0, 2 * np.pi, size=n)
        eye[jumps] += self.saccade_px * np.stack([np.cos(angles), np.sin(angles)], axis=1)[jumps]
        head = rng.normal(0.0, self.head_px, size=(n, 2))
        eye[0] = head[0] = 0.0
        return np.cumsum(eye, axis=0), np.cumsum(head, axis=0)


def shift_image(image: np.ndarray, dx: float, dy: float, angle_deg: float = 0.0) -> np.ndarray:
    """Move a float image rigidly by (dx, dy) px and rotate it by `angle_deg` about its centre."""
    h, w = image.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle_deg, 1.0)
    m[:, 2] += (dx, dy)
    return cv2.warpAffine(image, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def sensor_readout(radiance: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    """The camera's 8-bit readout of a float image (1.0 = full scale) with shot + read noise."""
    sigma = noise * (0.3 + 0.7 * np.sqrt(np.clip(radiance, 0.0, None)))
    noisy = radiance + rng.standard_normal(radiance.shape, dtype=np.float32) * sigma
    return np.clip(np.rint(noisy * 255.0), 0, 255).astype(np.uint8)


def capture_bona_fide_sequence(
    eye: EyeIdentity,
    schedule: IlluminationSchedule,
    conditions: CaptureConditions,
    rng: np.random.Generator,
    reflex: PupilReflex | None = None,
    motion: MicroMotion | None = None,
    texture_polar: np.ndarray | None = None,
    overlay: CornealOverlay | None = None,
) -> np.ndarray:
    """What the station camera records of a live eye under `schedule`: uint8 (n, 480, 640).

    The pupil follows `reflex` (drawn at random when None) from `conditions.pupil_ratio`; the
    illuminator level multiplies `conditions.illumination`; the eye moves inside the lid opening
    (fixational movements) and the whole face sways (`motion`). `texture_polar` replaces the
    iris texture; `overlay` is worn on the cornea (a cosmetic contact lens on a live eye). Renders
    are shared between frames whose pupil differs by < 0.3% of the iris radius; sensor noise is
    drawn fresh per frame.
    """
    reflex = reflex if reflex is not None else PupilReflex.random(rng)
    motion = motion if motion is not None else MicroMotion()
    ratios = reflex.pupil_ratios(schedule, conditions.pupil_ratio, rng)
    eye_xy, head_xy = motion.trajectories(len(schedule), rng)
    cache: dict[tuple[float, float], np.ndarray] = {}
    opening = None
    frames = np.empty((len(schedule), *FRAME_SHAPE), np.uint8)
    for i, (ratio, level) in enumerate(zip(ratios, schedule.levels, strict=True)):
        key = (round(float(ratio) / RATIO_STEP) * RATIO_STEP, level)
        if key not in cache:
            c = dataclasses.replace(
                conditions,
                pupil_ratio=float(np.clip(key[0], 0.1, 0.8)),
                illumination=float(np.clip(conditions.illumination * level, 0.05, 4.0)),
                noise=0.0,
            )
            image, truth = render_eye_with_truth(eye, c, texture_polar, overlay)
            cache[key] = image.astype(np.float32) / 255.0
            if opening is None:  # where the eyeball shows; its content moves with the eye
                opening = cv2.GaussianBlur((~truth.eyelid_mask).astype(np.float32), (0, 0), 1.5)
        still = cache[key]
        hx, hy = head_xy[i]
        ex, ey = eye_xy[i]
        face = shift_image(still, hx, hy)
        eyeball = shift_image(still, hx + ex, hy + ey)
        mask = shift_image(opening, hx, hy)
        frames[i] = sensor_readout(face + mask * (eyeball - face), conditions.noise, rng)
    return frames
