"""Cosmetic textured contact lens: a printed pattern worn over a live iris.

The eye under the lens is alive (its pupil reacts, it moves), so only the lens gives it away. As
real cosmetic lenses are made: an opaque pigment pattern printed as a dot screen, in one of
several design families, over an annulus from a clear optic zone (4-6 mm across, on a ~12 mm
iris: 0.3-0.5 iris radii) out to about the limbus, often with a darker limbal ring. The print
rides on the cornea: it is fixed at absolute radii and does not follow the pupil's reflex, while
the iris tissue seen between the dots does (`simulation.synthetic_eye.CornealOverlay`).
"""

from __future__ import annotations

import cv2
import numpy as np

from hardware.illumination import IlluminationSchedule
from simulation.live_eye import capture_bona_fide_sequence
from simulation.synthetic_eye import CaptureConditions, CornealOverlay, EyeIdentity

from .print_attack import halftone
from .ranges import AttackRanges
from .recapture import band_noise, random_eye, station_conditions

LENS_PATTERNS = ("dots", "spokes", "cells", "rings")
DESIGN_SHAPE = (128, 1024)  # the design's density, radial (centre -> lens print edge) x angular
OVERLAY_TEXELS = 640  # the lens image: square, across 2 x outer radius


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
    return np.broadcast_to(density, shape).astype(np.float32)


def lens_overlay(
    kind: str, iris_radius_px: float, dot_pitch_px: tuple[float, float], rng: np.random.Generator
) -> CornealOverlay:
    """A printed lens of design `kind`, dot-screened at a pitch drawn from `dot_pitch_px` camera pixels."""
    outer = float(rng.uniform(0.95, 1.1))  # the print's outer edge, in iris radii
    clear = float(rng.uniform(0.3, 0.5))  # the clear optic zone's radius
    design = lens_pattern(kind, DESIGN_SHAPE, rng)
    half = (OVERLAY_TEXELS - 1) / 2
    ys, xs = np.mgrid[0:OVERLAY_TEXELS, 0:OVERLAY_TEXELS].astype(np.float32)
    rho = np.hypot(xs - half, ys - half) / half * outer  # iris radii
    theta = np.arctan2(ys - half, xs - half)
    rows, cols = DESIGN_SHAPE
    density = cv2.remap(
        design,
        ((theta / (2 * np.pi)) % 1.0 * cols).astype(np.float32),
        (np.clip(rho / outer, 0, 1) * (rows - 1)).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_WRAP,
    )
    density = density * np.clip((rho - clear) / 0.06, 0, 1) * np.clip((outer - rho) / 0.02, 0, 1)
    if rng.random() < 0.5:  # a limbal ring: a dark band at the print's outer edge
        density = np.maximum(density, np.clip(1.0 - np.abs(rho - (outer - 0.06)) / 0.05, 0, 1))
    density = density * float(rng.uniform(0.6, 1.0))
    texels_per_px = half / (outer * iris_radius_px)
    pitch = float(rng.uniform(*dot_pitch_px)) * texels_per_px
    ink = 1.0 - halftone(1.0 - density, pitch, float(rng.uniform(0, 90)), rng)
    ink[density <= 0.0] = 0.0  # the screen's maxima would otherwise dot even unprinted areas
    return CornealOverlay(
        coverage=np.clip(ink, 0.0, 1.0).astype(np.float32),
        outer_radius=outer,
        reflectance=float(rng.uniform(0.2, 0.6)),  # pigment NIR reflectance
        opacity=float(rng.uniform(0.6, 0.95)),
    )


def wearer_draws(
    rng: np.random.Generator, ranges: AttackRanges
) -> tuple[EyeIdentity, str, CaptureConditions]:
    """The wearer's eye, the lens design family and the capture conditions: the first draws of
    `contact_lens_attack`, in its order (cheap: nothing is rendered)."""
    eye = random_eye(rng, ranges.subjects)
    kind = str(rng.choice(ranges.lens_patterns))
    return eye, kind, station_conditions(rng, ranges)


def contact_lens_attack(
    schedule: IlluminationSchedule, rng: np.random.Generator, ranges: AttackRanges
) -> np.ndarray:
    """Frames (n, 480, 640) uint8 of a live eye wearing a textured cosmetic lens under `schedule`."""
    eye, kind, conditions = wearer_draws(rng, ranges)
    overlay = lens_overlay(kind, float(conditions.iris_radius_px), ranges.lens_dot_pitch_px, rng)
    return capture_bona_fide_sequence(eye, schedule, conditions, rng, overlay=overlay)
