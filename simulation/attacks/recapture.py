"""Shared physics of re-capturing an artefact: the attacker's photo of the victim, hand motion, camera."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from hardware.illumination import STATION_LEDS
from simulation.live_eye import sensor_readout, shift_image
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye

from .ranges import AttackRanges


def random_eye(rng: np.random.Generator, subjects: tuple[int, int]) -> EyeIdentity:
    """A random synthetic eye of a subject in [low, high)."""
    return EyeIdentity.from_seed(int(rng.integers(*subjects)), "LR"[int(rng.integers(0, 2))])


def camera_blur(ranges: AttackRanges) -> dict[str, float]:
    """`CaptureConditions` overrides for the station camera's blur, when `ranges` fixes it."""
    return ranges.camera.conditions() if ranges.camera is not None else {}


def recapture_defocus(ranges: AttackRanges, drawn: float) -> float:
    """The station lens's defocus on an artefact: the one `ranges` fixes, else `drawn`."""
    return ranges.camera.defocus if ranges.camera is not None else drawn


def station_leds(rng: np.random.Generator) -> tuple[tuple[float, float], ...]:
    """The station's LED reflections as a real cornea shows them: shifted together by gaze."""
    jitter = rng.normal(0.0, 0.02, size=2)
    return tuple((x + float(jitter[0]), y + float(jitter[1])) for x, y in STATION_LEDS)


def station_conditions(rng: np.random.Generator, ranges: AttackRanges) -> CaptureConditions:
    """A live eye's capture conditions at the station: its LED reflections, and its camera's blur when
    `ranges` fixes it."""
    return CaptureConditions.random(rng, leds=station_leds(rng), **camera_blur(ranges))


def victim_photo(
    rng: np.random.Generator, subjects: tuple[int, int], **overrides: object
) -> tuple[EyeIdentity, CaptureConditions, np.ndarray]:
    """The attacker's NIR photo of a random victim's eye: (eye, conditions, float image, 1.0 = white).

    The attacker's camera has its own LED layout: half the time the same model as the station
    (a careful attacker), otherwise a different ring or pair.
    """
    eye = random_eye(rng, subjects)
    if rng.random() < 0.5:
        leds = station_leds(rng)
    else:
        n = int(rng.integers(1, 5))
        phase, radius = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.3)
        leds = tuple(
            (
                float(radius * np.cos(phase + 2 * np.pi * k / n)),
                float(radius * np.sin(phase + 2 * np.pi * k / n)),
            )
            for k in range(n)
        )
    values: dict[str, object] = {"leds": leds, "noise": 0.004}
    values.update(overrides)
    conditions = CaptureConditions.random(rng, **values)
    return eye, conditions, render_eye(eye, conditions).astype(np.float32) / 255.0


def hand_motion(n: int, step_px: float, rng: np.random.Generator) -> np.ndarray:
    """(n, 3) rigid motion of a hand-held artefact per frame: dx, dy (px), rotation (deg)."""
    steps = np.concatenate(
        [rng.normal(0, step_px, size=(n, 2)), rng.normal(0, 0.04 * step_px, size=(n, 1))], axis=1
    )
    steps[0] = 0.0
    return np.cumsum(steps, axis=0)


def defocus(image: np.ndarray, sigma: float) -> np.ndarray:
    """Optical blur of the station lens (Gaussian, sigma in px; no-op below 0.3)."""
    return cv2.GaussianBlur(image, (0, 0), sigma) if sigma > 0.3 else image


def record(
    appearances: Sequence[np.ndarray],
    gains: Sequence[object],
    offsets: Sequence[object],
    motion: np.ndarray,
    blur: float,
    noise: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Camera frames of an artefact: frame i = blur(move_i(appearances[i] * gains[i] + offsets[i])).

    `gains` (scalars or arrays that broadcast, e.g. per-row refresh bands) scale with the station
    illuminator for reflective artefacts (paper, a doll) and stay constant for emissive ones
    (screens); `offsets` (scalar or image per frame) add glare.
    """
    frames = np.empty((len(appearances), *appearances[0].shape), np.uint8)
    for i, (appearance, gain, offset, (dx, dy, rot)) in enumerate(
        zip(appearances, gains, offsets, motion, strict=True)
    ):
        radiance = (appearance * np.asarray(gain, np.float32) + np.asarray(offset, np.float32)).astype(
            np.float32
        )
        radiance = shift_image(radiance, float(dx), float(dy), float(rot))
        frames[i] = sensor_readout(defocus(radiance, blur), noise, rng)
    return frames


def spot(shape: tuple[int, int], x: float, y: float, sigma: float) -> np.ndarray:
    """A Gaussian blob of peak 1 at (x, y), float32 image of `shape`."""
    ys, xs = np.ogrid[0 : shape[0], 0 : shape[1]]
    return np.exp(-((xs - x) ** 2 + (ys - y) ** 2) / (2 * sigma * sigma)).astype(np.float32)


def band_noise(shape: tuple[int, int], sigma_px: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth zero-mean unit-variance noise (Gaussian-filtered white noise), float32."""
    field = cv2.GaussianBlur(rng.standard_normal(shape, dtype=np.float32), (0, 0), sigma_px)
    return (field - field.mean()) / (field.std() + 1e-6)
