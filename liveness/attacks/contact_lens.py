"""Cosmetic textured contact lens: a printed pattern worn over a live iris.

The eye under the lens is alive (its pupil reacts, it moves), so only the lens print gives it
away: an opaque pigment pattern printed as dots, covering the iris outside a clear central zone,
in one of several design families.
"""

from __future__ import annotations

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule, capture_bona_fide_sequence
from hardware.synthetic_eye import CaptureConditions, EyeIdentity, iris_texture_polar

from .print_attack import halftone
from .ranges import AttackRanges
from .recapture import band_noise, random_eye, station_leds

LENS_PATTERNS = ("dots", "spokes", "cells", "rings")


def lens_pattern(kind: str, shape: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Pigment density (0 none .. 1 full) of one lens design in polar layout (radial x angular)."""
    rows, cols = shape
    r = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None]
    a = np.linspace(0.0, 2 * np.pi, cols, endpoint=False, dtype=np.float32)[None, :]
    if kind == "dots":
        n_ang, n_rad = int(rng.integers(60, 160)), int(rng.integers(6, 14))
        density = (0.5 + 0.5 * np.cos(n_ang * a)) * (0.5 + 0.5 * np.cos(2 * np.pi * n_rad * r))
        density = density ** rng.uniform(0.5, 2.0)
    elif kind == "spokes":
        streaks = band_noise((rows, cols), 1.0, rng)
        streaks = cv2.GaussianBlur(streaks, (0, 0), sigmaX=rng.uniform(1.0, 3.0), sigmaY=rng.uniform(8, 20))
        density = np.clip(0.5 + 0.4 * streaks / (streaks.std() + 1e-6), 0, 1)
    elif kind == "cells":
        cells = band_noise((rows, cols), rng.uniform(3.0, 6.0), rng)
        density = np.clip(0.5 + 0.5 * np.sign(cells) * np.abs(cells) ** 0.3, 0, 1)
    elif kind == "rings":
        k = rng.uniform(4, 12)
        density = 0.5 + 0.5 * np.cos(2 * np.pi * k * r + 0.3 * band_noise((rows, cols), 4.0, rng))
    else:
        raise ValueError(f"unknown lens pattern {kind!r}; choose from {LENS_PATTERNS}")
    clear_zone = rng.uniform(0.05, 0.3)  # the lens's clear optic zone over the pupil margin
    fade = np.clip((r - clear_zone) / 0.08, 0, 1)
    return (density * fade * rng.uniform(0.6, 1.0)).astype(np.float32)


def lens_texture(eye: EyeIdentity, kind: str, rng: np.random.Generator) -> np.ndarray:
    """The iris as seen through the lens: the eye's own texture under halftone-printed pigment."""
    own = iris_texture_polar(eye).copy()
    density = lens_pattern(kind, own.shape, rng)
    # The pigment is printed as a dot screen: coverage, not a continuous tone. A texture pixel is
    # ~0.5 image px here, so 6-12 texture px are dots of 3-6 px as the station camera sees them.
    ink = 1.0 - halftone(1.0 - density, rng.uniform(6.0, 12.0), float(rng.uniform(0, 90)), rng)
    pigment = rng.uniform(0.2, 0.6)  # pigment NIR reflectance
    opacity = rng.uniform(0.6, 0.95)
    return np.clip(own * (1 - opacity * ink) + pigment * opacity * ink, 0.0, 1.0)


def contact_lens_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a live eye wearing a textured cosmetic lens under `schedule`."""
    eye = random_eye(rng, ranges.subjects)
    kind = str(rng.choice(ranges.lens_patterns))
    conditions = CaptureConditions.random(rng, leds=station_leds(rng))
    return capture_bona_fide_sequence(
        eye, schedule, conditions, rng, texture_polar=lens_texture(eye, kind, rng)
    )
