"""Finding the limbus (iris-sclera boundary) with Daugman's integro-differential operator.

Only the lateral sectors vote: the top and bottom of the iris are often under the eyelids, and an
eyelid edge would otherwise win (Daugman 2004, section 2; open-iris does the same with its masks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .errors import QualityError
from .geometry import Circle, center_grid, degrees, integro_differential

LATERAL_SECTORS = ((-35.0, 50.0), (130.0, 215.0))  # degrees, image y down: right and left, a bit low


@dataclass(frozen=True)
class LimbusParams:
    """Limbus search settings (ratios are pupil radius / iris radius, as ISO/IEC 29794-6 reports)."""

    min_pupil_ratio: float = 0.1
    max_pupil_ratio: float = 0.8
    # How far the iris centre may lie from the pupil's, in iris radii: the pupil sits nasal and a
    # little up in the iris, and off-axis gaze moves it further. It scales with the iris, not the
    # pupil: a constricted pupil is no more concentric than a dilated one.
    max_center_offset: float = 0.15
    max_radius_fraction: float = 0.6  # of the image's shorter side
    work_pixels: int = 320 * 240
    step_window: float = 0.06  # coarse step detector half-width, fraction of the smallest iris radius
    # Fraction of the arc's angles dropped at each end of the per-radius edge strengths in the fine
    # fit (alpha-trimmed mean): a lower lid or lashes reaching into a lateral sector are outliers.
    trim: float = 0.2

    def __post_init__(self) -> None:
        if not 0 < self.min_pupil_ratio < self.max_pupil_ratio < 1:
            raise ValueError("need 0 < min_pupil_ratio < max_pupil_ratio < 1")
        if not 0 < self.max_center_offset < 0.5 or not 0 <= self.trim < 0.5:
            raise ValueError("max_center_offset must be in (0, 0.5) and trim in [0, 0.5)")


def find_limbus(clean: np.ndarray, pupil: Circle, params: LimbusParams) -> tuple[Circle, float]:
    """The iris outer circle and its edge strength (grey levels per pixel) in `clean` (float32).

    Three passes: the radius around the pupil's centre (coarse, where the limbus step shows even
    with the centres a little apart), the centre within `max_center_offset` of that radius
    (coarse), then both at full resolution with the trimmed operator. Raises QualityError when
    the pupil leaves no room for an iris in the frame.
    """
    height, width = clean.shape
    r_lo = max(pupil.r / params.max_pupil_ratio, pupil.r + 5.0)
    r_hi = min(pupil.r / params.min_pupil_ratio, params.max_radius_fraction * min(height, width))
    if r_hi < r_lo + 4:
        raise QualityError("iris boundary not found: the pupil is too large for the frame")
    factor = min(1.0, math.sqrt(params.work_pixels / (height * width)))
    work = (
        cv2.resize(clean, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else clean
    )
    angles = degrees(*LATERAL_SECTORS, step=5.0)
    window = max(2, round(params.step_window * pupil.r * factor / params.max_pupil_ratio))
    px, py, pr = pupil.x * factor, pupil.y * factor, pupil.r * factor

    def coarse_search(half: float, lo: float, hi: float) -> Circle:
        # No circle may reach back to the pupil edge from an off-centre candidate: it is the
        # strongest step in the image.
        lo = max(lo, r_lo * factor, pr + half + window + 2.0)
        hi = min(hi, r_hi * factor)
        centers = center_grid(px, py, half, 2.0 if half > 4 else 1.0)
        radii = np.arange(lo - window, max(hi, lo + 1.0) + window + 1.0, 1.0, dtype=np.float32)
        return integro_differential(work, centers, radii, angles, smoothing=0.0, window=window)[0]

    # A centre error d moves the lateral edges by about d: the radius comes out within d.
    first = coarse_search(2.0, 0.0, r_hi * factor)
    half = max(2.0, params.max_center_offset * first.r)
    coarse = coarse_search(half, first.r - half - 2.0, first.r + half + 2.0).scaled(1.0 / factor)
    step = 0.5 / factor
    centers = center_grid(coarse.x, coarse.y, 3.0 / factor, step)
    lo, hi = max(coarse.r - 3.0 / factor, r_lo), min(coarse.r + 3.0 / factor, r_hi)
    radii = np.arange(lo - 1.0, hi + 1.0 + 1e-3, 0.5, dtype=np.float32)
    return integro_differential(
        clean, centers, radii, degrees(*LATERAL_SECTORS, step=3.0), smoothing=1.5, trim=params.trim
    )
