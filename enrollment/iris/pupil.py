"""Finding the pupil: the darkest large round blob, refined by the integro-differential operator."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .errors import QualityError
from .geometry import Circle, center_grid, degrees, integro_differential, sample_polar


@dataclass(frozen=True)
class PupilParams:
    """Pupil search settings; radii are fractions of the image's shorter side so they scale with it."""

    min_radius: float = 0.025  # 6 px at 240 rows, 12 px at 480
    max_radius: float = 0.25
    thresholds: tuple[float, ...] = (0.06, 0.12, 0.2, 0.3, 0.42)  # of the way from darkest to median
    min_fill: float = 0.45  # blob area / enclosing circle area (lashes can cut the top off)
    min_contrast: float = 15.0  # grey levels between the pupil and what surrounds it
    max_darkness: float = 0.3  # pupil interior: at most this far from the darkest level to the median
    work_pixels: int = 320 * 240  # coarse search resolution

    def __post_init__(self) -> None:
        if not 0 < self.min_radius < self.max_radius < 0.5:
            raise ValueError("need 0 < min_radius < max_radius < 0.5")
        if not 0 < self.min_fill < 1 or not self.thresholds:
            raise ValueError("min_fill must be in (0, 1) and thresholds non-empty")


def find_pupil(clean: np.ndarray, params: PupilParams) -> Circle:
    """The pupil circle in `clean` (uint8, reflections filled, lashes closed); QualityError if none."""
    height, width = clean.shape
    factor = min(1.0, math.sqrt(params.work_pixels / (height * width)))
    work = (
        cv2.resize(clean, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else clean
    )
    work = cv2.GaussianBlur(work, (0, 0), 1.2)
    side = min(work.shape)
    r_min, r_max = params.min_radius * side, params.max_radius * side
    darkest, median = np.percentile(work, [0.5, 50.0])
    if median - darkest < 15:
        raise QualityError("no pupil found: the image has no dark round region")
    best, best_score = None, 0.0
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    for fraction in params.thresholds:
        level = darkest + fraction * (median - darkest)
        blobs = cv2.morphologyEx((work <= level).astype(np.uint8), cv2.MORPH_OPEN, kernel)
        contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            area = cv2.contourArea(contour)
            if area < math.pi * r_min * r_min:
                continue
            (x, y), r = cv2.minEnclosingCircle(contour)
            fill = area / (math.pi * r * r)
            if not r_min <= r <= r_max or fill < params.min_fill:
                continue
            inside, outside = _ring_levels(work, x, y, r)
            if inside > darkest + params.max_darkness * (median - darkest):
                continue  # a dark iris or a shadow, not the pupil
            if outside - inside < params.min_contrast:
                continue
            # The pupil is the darkest round thing: a dark iris blob around it scores lower.
            score = fill * (outside - inside) / (max(inside - darkest, 0.0) + 8.0)
            if score > best_score:
                best, best_score = Circle(float(x), float(y), float(r)), score
    if best is None:
        raise QualityError("no pupil found: no dark round region of plausible size")
    return _refine(clean.astype(np.float32), best.scaled(1.0 / factor))


def _ring_levels(work: np.ndarray, x: float, y: float, r: float) -> tuple[float, float]:
    """Median brightness just inside and just outside a candidate circle."""
    angles = degrees((0, 360), step=15)
    image, cx, cy = work.astype(np.float32), np.array([x]), np.array([y])
    inside = sample_polar(image, cx, cy, np.array([0.4 * r, 0.8 * r]), angles)[0]
    outside = sample_polar(image, cx, cy, np.array([1.5 * r]), angles)
    # The darker of the two inner rings must still be dark: a dark iris around the pupil is not.
    return float(np.median(inside, axis=0).max()), float(np.median(outside))


def _refine(image: np.ndarray, rough: Circle) -> Circle:
    """Sub-pixel pupil boundary; the top sector is left out (the upper lid and lashes cover it)."""
    angles = degrees((-50, 230), step=6)
    half = max(2.0, 0.15 * rough.r)
    centers = center_grid(rough.x, rough.y, half, max(0.5, half / 4))
    radii = np.arange(max(2.0, 0.7 * rough.r), 1.35 * rough.r + 1, 0.5, dtype=np.float32)
    circle, _ = integro_differential(image, centers, radii, angles, smoothing=1.0)
    return circle
