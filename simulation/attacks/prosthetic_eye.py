"""Prosthetic or doll eye: a glossy artificial eye with a painted iris, held in front of the station.

It is a real 3-D object under the station's LEDs, so it shows true corneal reflections (glossier
and wider than a tear film's) and its brightness follows the illuminator; but its painted iris is
smooth and posterized, its pupil never reacts, and it only moves as a whole.
"""

from __future__ import annotations

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, iris_texture_polar, render_eye_with_truth

from .ranges import AttackRanges
from .recapture import camera_blur, hand_motion, random_eye, record, spot, station_leds


def painted_iris(eye: EyeIdentity, rng: np.random.Generator) -> np.ndarray:
    """A hand-painted copy of an iris: blurred, posterized, with brush streaks (polar layout)."""
    tex = cv2.GaussianBlur(
        iris_texture_polar(eye), (0, 0), sigmaX=rng.uniform(2.0, 6.0), sigmaY=rng.uniform(1.5, 4)
    )
    levels = int(rng.integers(4, 10))
    lo, hi = float(tex.min()), float(tex.max())
    tex = lo + np.round((tex - lo) / (hi - lo + 1e-6) * levels) / levels * (hi - lo)
    a = np.linspace(0, 2 * np.pi, tex.shape[1], endpoint=False)[None, :]
    streaks = rng.uniform(0.0, 0.06) * np.cos(int(rng.integers(20, 90)) * a + rng.uniform(0, 6.3))
    return np.clip(tex * rng.uniform(0.8, 1.2) + streaks, 0, 1).astype(np.float32)


def prosthetic_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of an artificial eye presented under `schedule`."""
    eye = random_eye(rng, ranges.subjects)
    texture = painted_iris(eye, rng)
    leds = station_leds(rng)
    conditions = CaptureConditions.random(
        rng,
        leds=leds,
        noise=0.0,
        pupil_ratio=float(rng.uniform(0.2, 0.55)),
        lashes=float(rng.uniform(0, 0.4)),
        **camera_blur(ranges),
    )
    renders: dict[float, np.ndarray] = {}
    for level in set(schedule.levels):
        c = conditions.replace(illumination=float(np.clip(conditions.illumination * level, 0.05, 4.0)))
        image, truth = render_eye_with_truth(eye, c, texture)
        gloss = np.zeros(image.shape, np.float32)
        sigma, amount = rng.uniform(5.0, 12.0), rng.uniform(0.15, 0.45)
        for x, y in truth.specular_spots:  # varnish: a wide halo around each reflection
            gloss = np.maximum(gloss, spot(image.shape, x, y, sigma))
        renders[level] = image.astype(np.float32) / 255.0 + amount * level * gloss
    n = len(schedule)
    motion = hand_motion(n, rng.uniform(*ranges.hand_motion_px), rng)
    frames = [renders[level] for level in schedule.levels]
    return record(frames, [1.0] * n, [0.0] * n, motion, 0.0, rng.uniform(0.004, 0.02), rng)
