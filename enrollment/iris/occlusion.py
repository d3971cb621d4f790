"""What hides the iris: eyelids (parabolas), eyelashes and specular reflections, as one noise mask.

Pixels are classified against the image's own reference levels (pupil, iris and sclera medians),
so the thresholds follow exposure and iris colour instead of fixed grey values. The eyelid edge is
where, walking away from the pupil, a solid run of non-iris pixels (skin, lash line) starts; a
RANSAC parabola through those points is the lid (Daugman 2004 uses arcs; Masek 2003 lines).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .geometry import Circle, degrees, sample_polar

Parabola = tuple[float, float, float]  # y = a*dx^2 + b*dx + c, dx = x - iris centre x


@dataclass(frozen=True)
class OcclusionParams:
    """Occlusion settings; lengths are fractions of the iris radius."""

    dark_fraction: float = 0.3  # lash if darker than pupil + this of (iris - pupil)
    bright_fraction: float = 0.7  # skin/reflection pixel: brighter than iris + this of (sclera - iris)
    run_bright_fraction: float = 0.4  # the same for the solid runs that start an eyelid
    run_length: float = 0.06  # a lid starts with this much solid non-iris along a column
    limbus_guard: float = 0.07  # ignore this close to the limbus (circle fit error)
    min_lid_points: float = 0.15  # fraction of columns that must agree on a lid
    lid_margin_px: float = 1.5
    ransac_iterations: int = 40

    def __post_init__(self) -> None:
        if not 0 < self.dark_fraction < 1 or not 0 < self.bright_fraction < 2:
            raise ValueError("dark_fraction must be in (0, 1) and bright_fraction in (0, 2)")


@dataclass(frozen=True)
class Levels:
    """Median grey levels of pupil, iris and sclera, and the iris's robust spread."""

    pupil: float
    iris: float
    sclera: float
    iris_spread: float


def measure_levels(clean: np.ndarray, pupil: Circle, iris: Circle) -> Levels:
    """Reference grey levels sampled in regions the lids rarely reach (lateral sectors)."""
    lateral = degrees((-30, 40), (140, 210), step=5)
    inner = sample_polar(
        clean,
        np.array([pupil.x]),
        np.array([pupil.y]),
        np.linspace(0, 0.6 * pupil.r, 6),
        degrees((0, 360), step=20),
    )
    band = pupil.r + np.linspace(0.25, 0.75, 8) * (iris.r - pupil.r)
    mid = sample_polar(clean, np.array([iris.x]), np.array([iris.y]), band, lateral).ravel()
    outer = sample_polar(
        clean,
        np.array([iris.x]),
        np.array([iris.y]),
        np.linspace(1.1, 1.3, 5) * iris.r,
        degrees((-12, 12), (168, 192), step=4),
    )
    median = float(np.median(mid))
    spread = float(1.4826 * np.median(np.abs(mid - median)))
    return Levels(float(np.median(inner)), median, float(np.median(outer)), max(spread, 1.0))


def noise_mask(
    gray: np.ndarray,
    clean: np.ndarray,
    specular: np.ndarray,
    pupil: Circle,
    iris: Circle,
    levels: Levels,
    params: OcclusionParams,
) -> tuple[np.ndarray, Parabola | None, Parabola | None]:
    """Boolean mask (True = not iris) over the image, with the upper and lower lid parabolas."""
    dark = levels.pupil + params.dark_fraction * (levels.iris - levels.pupil)
    contrast = max(levels.sclera - levels.iris, 0.0)
    # Lids are found from solid runs, which texture cannot fake: a low threshold is safe there.
    # Single pixels are masked only when far brighter than iris texture gets.
    bright_run = levels.iris + max(params.run_bright_fraction * contrast, 1.0 * levels.iris_spread)
    bright = levels.iris + max(params.bright_fraction * contrast, 3.0 * levels.iris_spread)
    x0, x1 = max(int(iris.x - iris.r) - 2, 0), min(int(iris.x + iris.r) + 3, gray.shape[1])
    y0, y1 = max(int(iris.y - iris.r) - 2, 0), min(int(iris.y + iris.r) + 3, gray.shape[0])
    crop = clean[y0:y1, x0:x1]
    solid_len = max(3, round(params.run_length * iris.r))
    non_iris = ((crop < dark) | (crop > bright_run)).astype(np.uint8)
    solid = cv2.erode(non_iris, np.ones((solid_len, 1), np.uint8)).astype(bool)  # whole run non-iris
    ys = np.arange(y0, y1, dtype=np.float32)[:, None]
    xs = np.arange(x0, x1, dtype=np.float32)[None, :]
    dx = xs - iris.x
    inside = dx**2 + (ys - iris.y) ** 2 < iris.r**2
    half_chord = np.sqrt(np.clip(iris.r**2 - dx**2, 0, None))
    pupil_chord = np.sqrt(np.clip(pupil.r**2 - (xs - pupil.x) ** 2, 0, None))
    guard = params.limbus_guard * iris.r
    lids = []
    for upper in (True, False):
        if upper:
            band = (ys > iris.y - half_chord + guard) & (ys < pupil.y - pupil_chord - 1)
            # Walking up from the pupil, the first solid run begins at its lowest row.
            rows = np.where(solid & band, ys, -np.inf).max(axis=0)
            edge = rows + (solid_len - 1) / 2  # the erosion centres the run
        else:
            band = (ys < iris.y + half_chord - guard) & (ys > pupil.y + pupil_chord + 1)
            rows = np.where(solid & band, ys, np.inf).min(axis=0)
            edge = rows - (solid_len - 1) / 2
        cols = np.abs(dx[0]) < 0.9 * iris.r
        found = np.isfinite(rows) & cols
        lids.append(_fit_lid(dx[0][found], edge[found], int(cols.sum()), iris.r, upper, params))
    mask = np.zeros(gray.shape, dtype=bool)
    region = (gray[y0:y1, x0:x1] < dark) | (gray[y0:y1, x0:x1] > bright)
    upper_lid, lower_lid = lids
    if upper_lid is not None:
        region |= ys < _parabola(upper_lid, dx) + params.lid_margin_px
    if lower_lid is not None:
        region |= ys > _parabola(lower_lid, dx) - params.lid_margin_px
    mask[y0:y1, x0:x1] = region & inside
    mask |= specular
    mask = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    return mask, upper_lid, lower_lid


def _parabola(p: Parabola, dx: np.ndarray) -> np.ndarray:
    return p[0] * dx * dx + p[1] * dx + p[2]


def _fit_lid(x, y, n_columns, radius, upper, params) -> Parabola | None:
    """RANSAC parabola through lid edge points; None when too few columns show a lid."""
    need = max(4, int(params.min_lid_points * n_columns))
    if len(x) < need:
        return None
    rng = np.random.default_rng(len(x))  # deterministic: same image, same mask
    tolerance = max(1.5, 0.03 * radius)
    best, best_inliers = None, None
    # Curvature limits: lids bulge away from the pupil, a little flat or reversed at most.
    lo, hi = (-0.1 / radius, 1.2 / radius) if upper else (-1.2 / radius, 0.1 / radius)
    picks = np.array([rng.choice(len(x), 3, replace=False) for _ in range(params.ransac_iterations)])
    xs, ys = x[picks], y[picks]
    usable = np.ptp(xs, axis=1) >= 0.2 * radius
    if usable.any():
        xs, ys = xs[usable], ys[usable]
        vander = np.stack([xs**2, xs, np.ones_like(xs)], axis=2)
        usable = np.abs(np.linalg.det(vander)) > 1e-9
        coeffs = (
            np.linalg.solve(vander[usable], ys[usable][..., None])[..., 0]
            if usable.any()
            else np.zeros((0, 3))
        )
        coeffs = coeffs[(coeffs[:, 0] >= lo) & (coeffs[:, 0] <= hi)]
        if len(coeffs):
            fitted = coeffs[:, 0:1] * x**2 + coeffs[:, 1:2] * x + coeffs[:, 2:3]
            inliers = np.abs(fitted - y) < tolerance
            k = int(np.argmax(inliers.sum(axis=1)))
            best, best_inliers = coeffs[k], inliers[k]
    if best is None or best_inliers.sum() < need:
        return None
    a, b, c = np.polyfit(x[best_inliers], y[best_inliers], 2)
    if not lo <= a <= hi:
        a, b, c = best
    return float(a), float(b), float(c)
