"""The skin around the eye and the eyelashes, drawn in the eye's own frame (units of iris radii)."""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from .identity import EyeIdentity

SKIN_EXTENT = (5.0, 4.0)  # half-width, half-height of the skin patch, in iris radii
_SKIN_SHAPE = (200, 250)  # rows, cols of the stored skin patch


@lru_cache(maxsize=64)
def skin_patch(eye: EyeIdentity) -> np.ndarray:
    """Low-contrast skin reflectance around the eye (float32, covering SKIN_EXTENT), per identity."""
    rng = np.random.default_rng(eye.periocular_seed)
    coarse = cv2.GaussianBlur(rng.normal(size=_SKIN_SHAPE).astype(np.float32), (0, 0), 12)
    fine = cv2.GaussianBlur(rng.normal(size=_SKIN_SHAPE).astype(np.float32), (0, 0), 1.5)
    patch = eye.skin_brightness + 0.5 * coarse / (coarse.std() + 1e-6) * 0.04 + 0.012 * fine / fine.std()
    patch.setflags(write=False)
    return patch


def sample_skin(eye: EyeIdentity, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Skin reflectance at eye-frame coordinates (u, v) in iris radii."""
    rows, cols = _SKIN_SHAPE
    map_x = ((u / SKIN_EXTENT[0] + 1.0) * 0.5 * (cols - 1)).astype(np.float32)
    map_y = ((v / SKIN_EXTENT[1] + 1.0) * 0.5 * (rows - 1)).astype(np.float32)
    return cv2.remap(skin_patch(eye), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def draw_lashes(
    shape: tuple[int, int],
    to_image,
    lid_curve,
    eye_half_width: float,
    density: float,
    radius_px: float,
    rng: np.random.Generator,
    appearance=None,
) -> np.ndarray:
    """Eyelash coverage in [0, 1] (float32 image): dark curved strokes rooted on the lids.

    `to_image(u, v)` maps eye-frame points (iris radii) to pixel coordinates; `lid_curve(u, upper)`
    gives the lid's v at u. Upper lashes hang down over the iris as they often do in NIR captures.
    `appearance` (an Appearance; None = LEGACY) sets their count, length and stroke width.
    """
    from .appearance import LEGACY

    a = appearance or LEGACY
    canvas = np.zeros(shape, dtype=np.uint8)
    thickness = a.lash_width_px or (1 if radius_px < 90 else 2)
    counts = ((True, round(density * a.lash_upper_count)), (False, round(density * a.lash_lower_count)))
    for upper, count in counts:
        for _ in range(count):
            u0 = rng.uniform(-0.85, 0.85) * eye_half_width
            length = rng.uniform(*a.lash_upper_length) if upper else rng.uniform(*a.lash_lower_length)
            angle = rng.normal(0.0, 0.45) + 0.25 * u0 / eye_half_width  # fan out towards the corners
            curl = rng.normal(0.0, 0.5)
            t = np.linspace(0.0, 1.0, 8)
            direction = 1.0 if upper else -1.0  # upper lashes go down (+v) over the eye
            if a.lash_outward > 0.0 and rng.random() < a.lash_outward:
                direction = -direction  # curling away from the eye, over the skin
            du = length * (np.sin(angle) * t + curl * 0.3 * t**2)
            dv = direction * length * (np.cos(angle) * t - 0.35 * t**2)
            u = u0 + du
            v = lid_curve(np.array([u0]), upper)[0] + dv
            x, y = to_image(u, v)
            points = np.round(np.stack([x, y], axis=1) * 4).astype(np.int32)  # 2 fractional bits
            cv2.polylines(canvas, [points], False, 255, thickness, cv2.LINE_AA, shift=2)
    return canvas.astype(np.float32) / 255.0
