"""Coarse pupil candidates: several dark discs, scored, instead of the one darkest blob.

A real eye offers more than one dark round-ish region: the pupil, the gap between the upper lid's
lashes, a dark eye corner, a dark iris ring around a small pupil. The pupil is the one that is
dark inside, clearly brighter just outside all round, and round. Candidates are the largest
circles inscribed in the dark regions (distance-transform maxima) of a downscaled frame at a few
darkness levels, and in its exactly flat regions: some capture software paints the pupil one grey
(to hide the illuminator's reflections), which may be lighter than lashes and shadows, and a
painted disc is the one thing in an eye that sensor noise leaves exactly constant. An inscribed
circle is unmoved by lashes or a reflection touching the pupil, where a blob's outline is not.

`every_disc=True` scores every disc that no wider one contains instead of only the widest few of each
mask: a wide dark region elsewhere in the frame (hair, a brow, a shadow, a dark border), or one that
lashes join to the pupil, has a ridge of inscribed circles wider than the pupil, which otherwise take
every place. Slower (all of them are scored), so `find_pupil` asks for it only when the widest failed.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from .order_stats import median, percentiles_u8

COARSE_SCALE = 4
DARK_LEVELS = (0.12, 0.22, 0.35)  # of the way from the frame's dark end (0.5th percentile) to its median
PER_LEVEL = 3  # widest discs kept per mask
EVERY_DISC_CAP = 40  # with every_disc: at most this many discs per mask, widest first
MIN_CONTRAST = 8.0  # grey levels between a disc's inside and the ring just outside it
_RING_ANGLES = np.linspace(0.0, 2 * np.pi, 24, endpoint=False, dtype=np.float32)
_OPEN = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
_PEAK = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class Candidate:
    """A dark disc in full-frame px: centre, radius (inscribed, so at most the pupil's) and score."""

    x: float
    y: float
    radius: float
    score: float


def _filled_masks(small: np.ndarray, lo: float, med: float) -> list[np.ndarray]:
    """Dark masks at DARK_LEVELS and the flat mask, each opened and with holes filled."""
    square = np.ones((3, 3), np.uint8)
    flat = (cv2.dilate(small, square) == cv2.erode(small, square)) & (small < med)
    masks = [(small <= lo + f * (med - lo)).astype(np.uint8) for f in DARK_LEVELS]
    masks.append(flat.astype(np.uint8))
    out = []
    for m in masks:
        m = cv2.morphologyEx(m, cv2.MORPH_OPEN, _OPEN)
        # Holes are the illuminator's reflections inside the pupil: part of it, not background.
        contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        out.append(cv2.drawContours(np.zeros_like(m), contours, -1, 1, thickness=cv2.FILLED))
    return out


def _ring(image: np.ndarray, x: float, y: float, r: float) -> np.ndarray:
    map_x = (x + np.cos(_RING_ANGLES) * r).astype(np.float32)[None, :]
    map_y = (y + np.sin(_RING_ANGLES) * r).astype(np.float32)[None, :]
    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)[0]


def _apart(ys: np.ndarray, xs: np.ndarray, radii: np.ndarray) -> list[int]:
    """Indices of the discs (widest first) whose centre lies in no wider disc kept before them."""
    kept: list[int] = []
    for k in np.argsort(-radii, kind="stable"):
        if all(np.hypot(ys[k] - ys[j], xs[k] - xs[j]) >= radii[j] for j in kept):
            kept.append(int(k))
            if len(kept) == EVERY_DISC_CAP:
                break
    return kept


def find_candidates(
    frame: np.ndarray, min_radius_px: float, max_radius_px: float, every_disc: bool = False
) -> list[Candidate]:
    """Dark-disc candidates in a uint8 grey frame, best score first (empty when there are none).

    Score = contrast (median grey of a ring at 1.5 r minus that inside, at 0.5 r) over the disc's
    darkness above the frame's dark end (none for a flat disc), times the squared share of a ring at
    1.3 r outside the dark mask (round: ~1; a tuft of lashes or a lid shadow goes on past its
    inscribed circle).
    """
    small = cv2.resize(frame, None, fx=1 / COARSE_SCALE, fy=1 / COARSE_SCALE, interpolation=cv2.INTER_AREA)
    lo, med = (float(v) for v in percentiles_u8(small, (0.5, 50)))
    if med - lo < MIN_CONTRAST:
        return []
    smooth = small.astype(np.float32)
    r_min, r_max = min_radius_px / COARSE_SCALE, max_radius_px / COARSE_SCALE
    seen: list[tuple[float, float, float]] = []
    found: list[Candidate] = []
    masks = _filled_masks(small, lo, med)
    for level, mask in enumerate(masks):
        painted = level == len(masks) - 1  # the flat mask comes last
        depth = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
        peaks = (depth >= r_min) & (depth <= r_max) & (depth >= cv2.dilate(depth, _PEAK))
        ys, xs = np.nonzero(peaks)
        widest = np.argsort(-depth[ys, xs])[:PER_LEVEL]
        chosen = _apart(ys, xs, depth[ys, xs]) if every_disc else widest
        for k in chosen:
            x, y, r = float(xs[k]), float(ys[k]), float(depth[ys[k], xs[k]])
            if any(abs(x - a) + abs(y - b) < 0.3 * r and abs(r - c) < 0.3 * r for a, b, c in seen):
                continue  # the same disc at another level
            seen.append((x, y, r))
            inside = median(_ring(smooth, x, y, 0.5 * r))
            outside = median(_ring(smooth, x, y, 1.5 * r + 1.0))
            contrast = outside - inside
            if contrast < MIN_CONTRAST:
                continue
            round_share = float(np.mean(_ring(mask.astype(np.float32), x, y, 1.3 * r + 1.0) < 0.5))
            # A flat disc is judged against itself: painted, its grey says nothing of darkness.
            floor = inside if painted else lo
            score = contrast / (max(inside - floor, 0.0) + 8.0) * round_share**2
            scale = COARSE_SCALE
            found.append(Candidate((x + 0.5) * scale - 0.5, (y + 0.5) * scale - 0.5, r * scale, score))
    return sorted(found, key=lambda c: -c.score)
