"""A real photograph's iris texture in the renderer's polar layout, so that a rendered eye can wear it.

The texture CNN learnt "live" as "our renderer's iris" (issue 26): every live eye it saw carried the
procedural texture of `synthetic_eye/texture.py`, and it refuses live eyes animated from real NIR stills.
Rendering eyes whose iris IS a real one (everything else, pupil reflex, lids, LEDs, lens prints, camera,
drawn by the renderer as before) gives it real iris tissue under both classes, live and wearing a printed
lens, so only the lens's print tells them apart.

`iris_texture_from_photo` unwraps the annulus between the segmented pupil and limbus circles into
`TEXTURE_SHAPE` (rows: pupil edge -> limbus, the rubber sheet's linear radius; columns: the angle around
the iris centre from +x towards +y, as `iris_texture_polar` and the renderer lay it out), fills what the
lids, lashes and the photograph's own corneal reflections hide from the visible texture around it, and
scales its grey levels to the rendered eye's mean iris reflectance. Nothing of the photograph is kept;
the caller reads it and segments it.
"""

from __future__ import annotations

import cv2
import numpy as np

from .synthetic_eye.texture import TEXTURE_SHAPE

SATURATED = 235  # grey level above which a photograph's pixel is its camera's LED reflection
MAX_HIDDEN = 0.6  # a photograph whose iris is more hidden than this gives no texture
REFLECTION_GROW_PX = 3  # the glow around a reflection's core, hidden too


class TextureUnavailableError(ValueError):
    """The photograph's iris is too hidden, or its circles do not fit it."""


def _polar_grid(
    pupil: tuple[float, float, float], iris: tuple[float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Photograph coordinates (x, y) of every texture sample. As the renderer lays its texture out: on
    each ray from the IRIS centre at the column's angle, linear from where the ray crosses the pupil
    circle (the pupil is decentred) to the limbus."""
    rows, cols = TEXTURE_SHAPE
    theta = 2.0 * np.pi * np.arange(cols) / cols
    t = np.linspace(0.0, 1.0, rows)[:, None]
    px, py, pr = pupil
    ix, iy, ir = iris
    dx, dy = np.cos(theta)[None, :], np.sin(theta)[None, :]
    # the pupil's edge on the ray: |i + s d - p| = pr, the positive root
    ox, oy = ix - px, iy - py
    b = ox * dx + oy * dy
    s_pupil = -b + np.sqrt(np.maximum(b * b - (ox * ox + oy * oy - pr * pr), 0.0))
    radius = s_pupil + t * (ir - s_pupil)
    return (ix + radius * dx).astype(np.float32), (iy + radius * dy).astype(np.float32)


def iris_texture_from_photo(
    gray: np.ndarray,
    pupil: tuple[float, float, float],
    iris: tuple[float, float, float],
    hidden: np.ndarray,
    mean_reflectance: float,
) -> np.ndarray:
    """float32 `TEXTURE_SHAPE` in [0, 1]: the iris of `gray` (uint8 2-D), between the `pupil` and `iris`
    circles (x, y, r in its pixels), with `hidden` (bool, its shape: lids, lashes) and its saturated
    reflections filled in, scaled so that its mean is `mean_reflectance`. Raises TextureUnavailableError."""
    if gray.ndim != 2 or gray.dtype != np.uint8 or hidden.shape != gray.shape:
        raise TextureUnavailableError("need a 2-D uint8 photograph and a hidden-iris mask of its shape")
    if not 0.0 < pupil[2] < iris[2] or not 0.0 < mean_reflectance < 1.0:
        raise TextureUnavailableError("the pupil circle must lie inside the iris, the reflectance in (0, 1)")
    bright = cv2.dilate(
        (gray >= SATURATED).astype(np.uint8), np.ones((2 * REFLECTION_GROW_PX + 1,) * 2, np.uint8)
    )
    covered = (hidden | (bright > 0)).astype(np.uint8) * 255
    map_x, map_y = _polar_grid(pupil, iris)
    h, w = gray.shape
    outside = (map_x < 0) | (map_x > w - 1) | (map_y < 0) | (map_y > h - 1)
    polar = cv2.remap(gray, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    gone = (
        cv2.remap(covered, map_x, map_y, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=255)
        > 0
    )
    gone |= outside
    if gone.mean() > MAX_HIDDEN:
        raise TextureUnavailableError(f"{gone.mean():.0%} of the iris is hidden")
    # fill across the angle's wrap: inpaint a copy with a quarter turn added on each side
    quarter = TEXTURE_SHAPE[1] // 4
    wide = np.concatenate([polar[:, -quarter:], polar, polar[:, :quarter]], axis=1)
    wide_gone = np.concatenate([gone[:, -quarter:], gone, gone[:, :quarter]], axis=1).astype(np.uint8)
    filled = cv2.inpaint(wide, wide_gone, 5, cv2.INPAINT_TELEA)[:, quarter:-quarter].astype(np.float32)
    visible = filled[~gone]
    scaled = filled * (mean_reflectance / max(float(visible.mean()), 1.0))
    return np.clip(scaled, 0.0, 1.0).astype(np.float32)
