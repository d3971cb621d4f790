"""A pupil the capture software painted one grey: found by its flatness, not by its darkness.

Some cameras' software (and some public sets) fill the pupil with one constant grey disc to hide
the illuminator's reflections. The disc may be lighter than the lashes, or even than a dark iris,
so the dark-disc search cannot rely on it, and its grey says nothing about the eye. What marks
it is exact: every pixel of it has one value, which living tissue under sensor noise never has,
and its outline is a digital circle. Its centre and radius follow from its pixels directly
(centroid and area), with no edge search: a light disc has a falling edge the integro-differential
operator would not take for a pupil.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .geometry import Circle
from .pupil import REFINE_GROWTH

# A digital disc's outline pixels all lie within about half a pixel of one distance from its
# centroid; a square, a lid-shaped or a frame-cut flat region does not.
MAX_OUTLINE_SPREAD = 1.2  # px: outline distances from the centroid, max minus min, over 2
# Paint stops at its edge in one step to whatever lies around: iris texture or a lid differs from
# the paint's grey by many levels. A flat patch of smooth skin or sclera fades into neighbours
# within a level or two of its own (the development set has a few such patches).
MIN_EDGE_STEP = 4.0  # grey levels, median over the pixels just outside the disc
SATURATED = 250  # flat white is clipped reflection or sclera, not paint
DARK_TISSUE_PERCENTILE = 1.0  # lashes and lid shadows: on unpainted eyes, within ~8 levels of the pupil's


def find_painted_pupil(gray: np.ndarray, min_radius: float, max_radius: float) -> tuple[Circle, int] | None:
    """(circle, grey) of a painted pupil disc in `gray` (uint8), or None when there is none.

    `min_radius` and `max_radius` are fractions of the image's shorter side. Flat black (0) is
    left to the dark-disc search: clipped shadows are flat too, and a black disc is dark anyway.
    """
    square = np.ones((3, 3), np.uint8)
    flat = (cv2.dilate(gray, square) == cv2.erode(gray, square)) & (gray > 0) & (gray < SATURATED)
    side = min(gray.shape)
    # The paint covers the pupil and a margin, and the dark-disc search lets a pupil's refined
    # circle grow to 1.35 times its coarse limit: the same bound here.
    r_lo, r_hi = min_radius * side, REFINE_GROWTH * max_radius * side
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat.astype(np.uint8), connectivity=8)
    best = None
    for k in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[k])
        # The interior (pixels whose 3x3 neighbourhood is flat) is the disc less its outline.
        if area < math.pi * max(r_lo - 1.5, 1.0) ** 2 or max(w, h) > 2 * r_hi + 2:
            continue
        x0, y0 = max(x - 2, 0), max(y - 2, 0)
        x1, y1 = min(x + w + 2, gray.shape[1]), min(y + h + 2, gray.shape[0])
        interior = labels[y0:y1, x0:x1] == k
        value = int(gray[y0:y1, x0:x1][interior][0])  # one value: flat neighbours share theirs
        region = cv2.dilate(interior.astype(np.uint8), square).astype(bool) & (gray[y0:y1, x0:x1] == value)
        ys, xs = np.nonzero(region)
        cx, cy = float(xs.mean()), float(ys.mean())
        r = math.sqrt(len(xs) / math.pi)
        if not r_lo <= r <= r_hi:
            continue
        outline = region & ~cv2.erode(region.astype(np.uint8), square, borderValue=0).astype(bool)
        oy, ox = np.nonzero(outline)
        distance = np.hypot(ox - cx, oy - cy)
        if (distance.max() - distance.min()) / 2 > MAX_OUTLINE_SPREAD:
            continue
        around = cv2.dilate(region.astype(np.uint8), square).astype(bool) & ~region
        step = np.abs(gray[y0:y1, x0:x1][around].astype(np.float32) - value)
        if step.size == 0 or float(np.median(step)) < MIN_EDGE_STEP:
            continue
        if best is None or r > best[0].r:
            # Pixel centres within r of the centre are painted: the step lies half a pixel out.
            best = (Circle(cx + x0, cy + y0, r + 0.5), value)
    return best


def dark_tissue_level(image: np.ndarray, pupil: Circle, iris: Circle) -> float:
    """The darkest tissue's grey level around the iris (lashes, lid shadows), the painted disc left out.

    Stands in for the pupil's level, which the paint hides: on the unpainted development set the
    1st percentile of the iris's surroundings lies within ~8 grey levels of the pupil's median.
    """
    height, width = image.shape
    x0, x1 = max(int(iris.x - 1.3 * iris.r), 0), min(int(iris.x + 1.3 * iris.r) + 1, width)
    y0, y1 = max(int(iris.y - 1.3 * iris.r), 0), min(int(iris.y + 1.3 * iris.r) + 1, height)
    ys, xs = np.ogrid[y0:y1, x0:x1]
    outside = (xs - pupil.x) ** 2 + (ys - pupil.y) ** 2 > (pupil.r + 2.0) ** 2
    values = image[y0:y1, x0:x1][outside]
    return float(np.percentile(values, DARK_TISSUE_PERCENTILE)) if values.size else 0.0
