"""Circles in image pixels, and sampling an image along circles (the polar view every stage uses)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Circle:
    """A circle in image pixels: centre (x, y), radius r."""

    x: float
    y: float
    r: float

    def scaled(self, factor: float) -> Circle:
        """The same circle in an image resized by `factor`."""
        return Circle(self.x * factor, self.y * factor, self.r * factor)


def degrees(*ranges: tuple[float, float], step: float) -> np.ndarray:
    """Angles in radians covering the given (start, stop) degree ranges, `step` degrees apart.

    Image y points down, so +90 deg is straight down and -90 deg straight up.
    """
    parts = [np.arange(lo, hi, step) for lo, hi in ranges]
    return np.deg2rad(np.concatenate(parts)).astype(np.float32)


def sample_polar(
    image: np.ndarray, cx: np.ndarray, cy: np.ndarray, radii: np.ndarray, angles: np.ndarray
) -> np.ndarray:
    """Bilinear samples of `image` (float32) at cx + r cos(a), cy + r sin(a).

    `cx`, `cy`: shape (K,) candidate centres. Returns float32 (K, len(angles), len(radii)).
    Points outside the image repeat the border pixel.
    """
    cos, sin = np.cos(angles)[None, :, None], np.sin(angles)[None, :, None]
    r = radii.astype(np.float32)[None, None, :]
    map_x = (cx.astype(np.float32)[:, None, None] + r * cos).reshape(-1, len(radii))
    map_y = (cy.astype(np.float32)[:, None, None] + r * sin).reshape(-1, len(radii))
    samples = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return samples.reshape(len(cx), len(angles), len(radii))


def integro_differential(
    image: np.ndarray,
    centers: np.ndarray,
    radii: np.ndarray,
    angles: np.ndarray,
    smoothing: float,
    window: int = 0,
    trim: float = 0.0,
) -> tuple[Circle, float]:
    """Daugman's integro-differential operator: the circle where the mean intensity rises most.

    max over (centre, r) of G_sigma * d/dr of the mean of I along the arc (Daugman 2004, eq. 1),
    restricted to `angles` so occluded sectors do not vote. `centers` is (K, 2) in pixels, `radii`
    increasing and evenly spaced. With `window` > 0 the derivative is taken as the difference of
    the mean profile over `window` samples outside and inside r: a sustained step (the limbus)
    then beats a thin bright ring (the collarette). With `trim` in (0, 0.5) the radial derivative
    is taken along each angle and averaged over angles after dropping that fraction of the
    largest and of the smallest values at each radius (an alpha-trimmed mean): an eyelid, lashes
    or a reflection crossing a few of the angles then cannot drag the circle towards its own edge.
    Returns the best circle and its edge strength (grey levels per pixel).
    """
    if not 0.0 <= trim < 0.5 or (trim > 0 and window > 0):
        raise ValueError("trim must be in [0, 0.5), and 0 with a step window")
    samples = sample_polar(image, centers[:, 0], centers[:, 1], radii, angles)
    step = float(radii[1] - radii[0])
    drop = int(trim * len(angles))
    if drop > 0:
        # The mean of per-angle derivatives is the derivative of the mean profile: trimming
        # nothing would give the same slope as the plain operator below.
        per_angle = np.sort(np.gradient(samples, step, axis=2), axis=1)
        slope = per_angle[:, drop : len(angles) - drop].mean(axis=1).astype(np.float32)
        if smoothing > 0:
            slope = cv2.GaussianBlur(slope, (0, 0), sigmaX=smoothing / step, sigmaY=1e-3)
        return _best_peak(slope, centers, radii)
    profiles = samples.mean(axis=1)
    if window > 0:
        csum = np.concatenate([np.zeros((len(profiles), 1)), np.cumsum(profiles, axis=1)], axis=1)
        slope = np.full(profiles.shape, -np.inf, dtype=np.float32)
        m = np.arange(window, profiles.shape[1] - window)
        ahead = (csum[:, m + window] - csum[:, m]) / window
        behind = (csum[:, m] - csum[:, m - window]) / window
        slope[:, m] = (ahead - behind) / (window * step)
    else:
        slope = np.gradient(profiles, step, axis=1).astype(np.float32)
    if smoothing > 0 and window == 0:
        slope = cv2.GaussianBlur(slope, (0, 0), sigmaX=smoothing / step, sigmaY=1e-3)
    return _best_peak(slope, centers, radii)


def _best_peak(slope: np.ndarray, centers: np.ndarray, radii: np.ndarray) -> tuple[Circle, float]:
    """The (centre, radius) of the largest radial peak of `slope` (K centres x R radii)."""
    # Only true peaks count: a slope still rising at the end of the range is another edge's flank.
    peak = np.full(slope.shape, -np.inf, dtype=np.float32)
    inner = slope[:, 1:-1]
    is_peak = (inner >= slope[:, :-2]) & (inner >= slope[:, 2:])
    peak[:, 1:-1] = np.where(is_peak, inner, -np.inf)
    if not np.isfinite(peak).any():
        peak = slope
    k, m = np.unravel_index(int(np.argmax(peak)), peak.shape)
    return Circle(float(centers[k, 0]), float(centers[k, 1]), float(radii[m])), float(slope[k, m])


def center_grid(x: float, y: float, half_width: float, step: float) -> np.ndarray:
    """Candidate centres on a square grid around (x, y): shape (K, 2)."""
    offsets = np.arange(-half_width, half_width + 1e-6, step)
    gx, gy = np.meshgrid(x + offsets, y + offsets)
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)
