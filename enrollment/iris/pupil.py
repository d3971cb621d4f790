"""Finding the pupil: the darkest large round region, refined by the integro-differential operator.

Candidates are the largest circles that fit inside the image's dark regions (distance-transform
maxima at several darkness levels), not the dark blobs' outlines: lashes, a dark eye corner or a
black frame border touching the pupil change a blob's outline but not the circle inscribed in the
pupil. The pupil is told from other dark discs by how much darker it is than the ring around it.
A pupil the capture software painted one grey is found before this search, by its flatness
(`painted.py`): its grey may be lighter than the lashes or the iris, so darkness cannot find it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .errors import QualityError
from .geometry import Circle, center_grid, degrees, integro_differential, sample_polar

MAX_DISCS = 5  # candidate discs tried per darkness level, widest first
REFINE_GROWTH = 1.35  # the refined pupil may be this much wider than the coarse disc


@dataclass(frozen=True)
class PupilParams:
    """Pupil search settings; radii are fractions of the image's shorter side so they scale with it."""

    min_radius: float = 0.025  # 6 px at 240 rows, 12 px at 480
    max_radius: float = 0.25
    thresholds: tuple[float, ...] = (0.06, 0.12, 0.2, 0.3, 0.42)  # of the way from darkest to median
    min_round: float = 0.6  # of a ring just outside the disc, at least this must not be dark
    min_contrast: float = 15.0  # grey levels between the pupil and what surrounds it
    max_darkness: float = 0.5  # pupil interior: at most this far from the darkest level to the median
    work_pixels: int = 160 * 120  # coarse search resolution (refined at full resolution after)

    def __post_init__(self) -> None:
        if not 0 < self.min_radius < self.max_radius < 0.5:
            raise ValueError("need 0 < min_radius < max_radius < 0.5")
        if not 0 < self.min_round < 1 or not self.thresholds:
            raise ValueError("min_round must be in (0, 1) and thresholds non-empty")


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
    image = work.astype(np.float32)
    seen: list[tuple[float, float, float]] = []
    for fraction in params.thresholds:
        level = darkest + fraction * (median - darkest)
        dark = work <= level
        blobs = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_OPEN, kernel)
        # Fill holes: the illuminator's reflections inside the pupil are not part of the background.
        contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blobs = cv2.drawContours(np.zeros_like(blobs), contours, -1, 1, thickness=cv2.FILLED)
        depth = cv2.distanceTransform(blobs, cv2.DIST_L2, 5)
        peaks = (depth >= r_min) & (depth <= r_max) & (depth >= cv2.dilate(depth, np.ones((5, 5), np.uint8)))
        ys, xs = np.nonzero(peaks)
        for k in np.argsort(-depth[ys, xs])[:MAX_DISCS]:  # the widest dark discs at this level
            x, y, r = float(xs[k]), float(ys[k]), float(depth[ys[k], xs[k]])
            if any(abs(x - a) + abs(y - b) < 0.2 * r and abs(r - c) < 0.2 * r for a, b, c in seen):
                continue  # the same disc seen at a lower darkness level
            seen.append((x, y, r))
            surround = _outside_fraction(blobs, x, y, r)
            if surround < params.min_round:
                continue
            inside, outside = _ring_levels(image, x, y, r)
            if inside > darkest + params.max_darkness * (median - darkest):
                continue  # a dark iris or a shadow, not the pupil
            if outside - inside < params.min_contrast:
                continue
            # The pupil is the darkest round thing: a dark iris disc around it scores lower.
            score = (outside - inside) / (max(inside - darkest, 0.0) + 8.0) * surround**2
            if score > best_score:
                best, best_score = Circle(x, y, r), score
    if best is None:
        raise QualityError("no pupil found: no dark round region of plausible size")
    return _refine(clean.astype(np.float32), best.scaled(1.0 / factor))


def _ring_levels(image: np.ndarray, x: float, y: float, r: float) -> tuple[float, float]:
    """Median brightness (float32 `image`) just inside and just outside a candidate circle."""
    angles = degrees((0, 360), step=15)
    cx, cy = np.array([x]), np.array([y])
    inside = sample_polar(image, cx, cy, np.array([0.4 * r, 0.8 * r]), angles)[0]
    outside = sample_polar(image, cx, cy, np.array([1.5 * r]), angles)
    # The darker of the two inner rings must still be dark: a dark iris around the pupil is not.
    return float(np.median(inside, axis=0).max()), float(np.median(outside))


def _outside_fraction(blobs: np.ndarray, x: float, y: float, r: float) -> float:
    """Fraction of a ring at 1.3 r that is NOT dark: ~1 round a disc, low along a tuft of lashes.

    The inscribed circle of an elongated dark region (lashes, a lid shadow) touches it on two
    sides only; the region goes on past the circle elsewhere. A pupil ends at the circle all
    round, but where lashes or a dark corner touch it.
    """
    ring = sample_polar(
        blobs.astype(np.float32),
        np.array([x]),
        np.array([y]),
        np.array([1.3 * r]),
        degrees((0, 360), step=10),
    )
    return float(np.mean(ring < 0.5))


def _refine(image: np.ndarray, rough: Circle) -> Circle:
    """Sub-pixel pupil boundary; the top sector is left out (the upper lid and lashes cover it)."""
    angles = degrees((-50, 230), step=6)
    half = max(2.0, 0.15 * rough.r)
    centers = center_grid(rough.x, rough.y, half, max(0.5, half / 4))
    radii = np.arange(max(2.0, 0.7 * rough.r), REFINE_GROWTH * rough.r + 1, 0.5, dtype=np.float32)
    circle, _ = integro_differential(image, centers, radii, angles, smoothing=1.0)
    return circle
