"""A fast pupil finder for near-infrared eye frames (OpenCV): centre and radius per frame.

Coarse: several dark-disc candidates in a 4x downscaled frame, scored by contrast, darkness and
roundness (`liveness.pupil_candidates`). Fine, for the best REFINED of them at full resolution: cast
72 rays from the candidate's centre and take, on each, the innermost clear dark-to-bright rise
(the pupil's edge: inside a pupil nothing rises once the illuminator's reflections are filled in;
iris crypts, lashes and the lid lie beyond it), then fit a circle to those edge points, dropping
outliers (rays that stopped at a lash or a lid) by their residual against a robust scale. The
candidate whose edge is best supported (share of rays on the circle, squared, x their rise) is the pupil.

The edge, not a grey threshold: a threshold between pupil and iris grey crossed dark iris rings,
crypts and lashes on real eyes and grew the pupil by 5-15 px there (`bench/pupil_real.py`).
Costs ~1-2 ms per 640x480 frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .order_stats import median
from .pupil_candidates import MIN_CONTRAST, Candidate, find_candidates

MIN_RADIUS_PX, MAX_RADIUS_PX = 8.0, 110.0  # pupil radius range at the station's magnification
MIN_IRIS_PX, MAX_IRIS_PX = 50, 180  # iris radius range at the station's magnification
REFINED = 3  # candidates refined at full resolution, best first, until one is clear
FALLBACK_REFINED = 6  # ... when none of those was a pupil, from every disc of the frame
HARDER_LOOKS = 3  # frames of a sequence that may look at every disc (~3.5 ms each): a bound on the cost
SATURATED = 240  # grey level of a corneal reflection's core
RAY_WINDOW = (0.5, 1.7)  # edge search along each ray, relative to the candidate's inscribed radius
RAY_SLACK_PX = 6.0  # plus this: the inscribed radius comes from a 4x coarser frame
MIN_RISE = 2.0  # grey levels per px: a weaker rise is no edge
EDGE_SHARE = 0.4  # the innermost rise at least this share of the ray's steepest one is the edge
MIN_SUPPORT = 0.4  # share of the rays on the fitted circle for it to be a pupil
CLEAR_SHARE = 0.7  # a candidate with this share of its rays on its circle ends the search
TRACK_SHARE = 0.6  # the last frame's pupil, refined in this frame, is kept from this share on
TRACK_RADIUS_CHANGE = 0.25  # ... and while its radius changed by at most this (a reflex: ~10%)
GLINT_LEVEL = 250  # grey of a corneal reflection's core (`liveness.specular`'s saturation level)
GLINT_MAX_AREA_PX = 400  # a larger saturated region is no LED's reflection (a highlight on skin, a screen)
GLINT_REACH = (1.5, 40.0)  # a pupil's centre lies within max(1.5 r, 40 px) of an LED's reflection
INNER_CENTRE = 0.5  # a disc whose centre lies within this share of a found circle's radius of its centre,
INNER_RADIUS = 0.6  # ... inscribed radius under this share of it,
INNER_FIT = 0.75  # ... and refined to a circle under this share of it is the pupil inside an iris
STEP_PX = 0.5
ON_CIRCLE = 0.08  # a ray's edge within this share of the radius (at least 1.5 px) lies on the circle
_ANGLES = np.linspace(0.0, 2 * np.pi, 72, endpoint=False, dtype=np.float32)
_RING = np.linspace(0.0, 2 * np.pi, 36, endpoint=False, dtype=np.float32)[None, :]
_HALO = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
_FILL = cv2.getStructuringElement(cv2.MORPH_RECT, (15, 15))  # separable: fast


@dataclass(frozen=True)
class PupilObservation:
    """Pupil centre (x, y) and radius in px of the full frame; `found` is False when no pupil."""

    x: float
    y: float
    radius: float
    found: bool


NOT_FOUND = PupilObservation(math.nan, math.nan, math.nan, False)


def find_pupil(frame: np.ndarray, look_harder: bool = True) -> PupilObservation:
    """Locate the pupil in one uint8 grey frame; NOT_FOUND when there is no plausible dark disc.

    Where the frame shows the LEDs' corneal reflections, the dark discs near them first
    (`_near_glints`), in the frame and in the frame without its reflections (two reflections inside
    a pupil cut its disc in two, and half a pupil can refine to a wrong circle). Then, as in a frame without
    reflections, the widest dark discs; if none of them is a pupil and `look_harder`, every dark disc
    of the frame without its reflections: a wide dark region elsewhere (hair, a brow, a dark border),
    or one that lashes join to the pupil, took every place. A circle with a smaller one inside it is
    an iris around its pupil (`_inner_pupil`). The caller validates shape and dtype (see
    `liveness.frames.validate_frames`).
    """
    glints = _glints(frame)
    candidates = find_candidates(frame, MIN_RADIUS_PX, MAX_RADIUS_PX)
    best = NOT_FOUND
    if glints.size:
        unglared = find_candidates(_without_glare(frame), MIN_RADIUS_PX, MAX_RADIUS_PX)
        near = _near_glints(candidates, glints)[:REFINED] + _near_glints(unglared, glints)[:REFINED]
        best = _best_of(frame, near)
    if not best.found:
        best = _best_of(frame, candidates[:REFINED])
    if not best.found and look_harder:
        return _every_disc(frame, glints)
    return _inner_pupil(frame, best, candidates) if best.found else best


def _every_disc(frame: np.ndarray, glints: np.ndarray | None = None) -> PupilObservation:
    """The pupil among every dark disc of the frame without its reflections, those near the
    reflections first (~3.5 ms a frame)."""
    found = find_candidates(_without_glare(frame), MIN_RADIUS_PX, MAX_RADIUS_PX, every_disc=True)
    near = _near_glints(found, _glints(frame) if glints is None else glints)
    best = _best_of(frame, near[:FALLBACK_REFINED]) if near else NOT_FOUND
    if not best.found:
        best = _best_of(frame, found[:FALLBACK_REFINED])
    return _inner_pupil(frame, best, found) if best.found else best


def _glints(frame: np.ndarray) -> np.ndarray:
    """(k, 2) centroids of the frame's LED reflections: saturated spots up to GLINT_MAX_AREA_PX."""
    mask = frame >= GLINT_LEVEL
    if not mask.any():
        return np.empty((0, 2))
    count, _, stats, centroids = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    small = stats[1:count, cv2.CC_STAT_AREA] <= GLINT_MAX_AREA_PX
    return centroids[1:count][small]


def _near_glints(candidates: list[Candidate], glints: np.ndarray) -> list[Candidate]:
    """The candidates with an LED reflection within GLINT_REACH of their centre, in their order.

    The station's LEDs sit near the camera's axis: on a cornea their reflections fall in or near the
    pupil (`liveness.specular` looks for them there). A tuft of lashes on the lid, the dark disc
    that took the pupil's place on real eyes (stop 43: 8-12 px, beside bright skin, often darker and
    rounder than a pupil with crypts at its edge), lies an iris radius or more from them.
    """
    if glints.size == 0:
        return []
    near = []
    for c in candidates:
        reach = max(GLINT_REACH[0] * c.radius, GLINT_REACH[1])
        if np.min(np.hypot(glints[:, 0] - c.x, glints[:, 1] - c.y)) <= reach:
            near.append(c)
    return near


def _inner_pupil(frame: np.ndarray, found: PupilObservation, candidates: list[Candidate]) -> PupilObservation:
    """The pupil inside `found` when `found` is an iris: the best supported smaller circle refined from
    a dark disc near its centre; `found` itself when there is none.

    A dark iris around a small pupil is a dark disc itself, wider and rounder than the pupil, and its
    limbus a steadier edge than the weak pupil-iris one: the iris won (stop 43: 4 of 29 dark irises
    lost their track). Only a circle of an iris's size (MIN_IRIS_PX on) can be one, and the ring between
    the two circles must be iris, clearly brighter than the disc inside (MIN_CONTRAST): a real pupil's
    soft edge, or a reflection in it, can refine to a smaller circle inside the pupil, where the ring
    between is pupil-dark.
    """
    if found.radius < MIN_IRIS_PX:
        return found
    best, best_support = found, 0.0
    for c in candidates:
        if (
            c.radius >= INNER_RADIUS * found.radius
            or math.hypot(c.x - found.x, c.y - found.y) > INNER_CENTRE * found.radius
        ):
            continue
        seen, _, support = _refine(frame, c)
        if seen.found and seen.radius < INNER_FIT * found.radius and support > best_support:
            inside = _ring_median(frame, seen.x, seen.y, seen.radius * np.array([0.3, 0.55, 0.8]))
            ring = _ring_median(frame, seen.x, seen.y, np.linspace(seen.radius + 2, found.radius - 2, 3))
            if ring - inside >= MIN_CONTRAST:
                best, best_support = seen, support
    return best


def _ring_median(frame: np.ndarray, x: float, y: float, radii: np.ndarray) -> float:
    """Median grey of 36 points on each circle about (x, y) of the given radii."""
    rr = np.asarray(radii, np.float32)[:, None]
    map_x = (x + np.cos(_RING) * rr).astype(np.float32)
    map_y = (y + np.sin(_RING) * rr).astype(np.float32)
    grey = cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return median(grey.ravel().astype(np.float64))


def _best_of(frame: np.ndarray, candidates: list[Candidate]) -> PupilObservation:
    """The best supported pupil among the candidates, best first (NOT_FOUND if none)."""
    best, best_support = NOT_FOUND, 0.0
    for candidate in candidates:
        observation, share, support = _refine(frame, candidate)
        if support > best_support:
            best, best_support = observation, support
        if share >= CLEAR_SHARE:  # an edge this complete is the pupil: no need to look further
            break
    return best


def _without_glare(frame: np.ndarray) -> np.ndarray:
    """The frame with each corneal reflection (and its glow) replaced by the darkest grey around it."""
    glare = frame >= SATURATED
    if not glare.any():
        return frame
    return np.where(cv2.dilate(glare.astype(np.uint8), _HALO) > 0, cv2.erode(frame, _FILL), frame)


def _edge_points(frame: np.ndarray, c: Candidate) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per ray: the edge's (x, y) in frame px and its rise (grey/px); None when off the frame."""
    lo, hi = RAY_WINDOW[0] * c.radius, RAY_WINDOW[1] * c.radius + RAY_SLACK_PX
    half = int(hi + 4)
    x0, y0 = max(int(c.x) - half, 0), max(int(c.y) - half, 0)
    x1, y1 = min(int(c.x) + half + 1, frame.shape[1]), min(int(c.y) + half + 1, frame.shape[0])
    roi = frame[y0:y1, x0:x1]
    if roi.size == 0:
        return None
    glare = roi >= SATURATED
    if glare.any():  # the reflections take the grey around them: the pupil's, inside the pupil
        roi = np.where(cv2.dilate(glare.astype(np.uint8), _HALO) > 0, cv2.erode(roi, _FILL), roi)
    smooth = cv2.GaussianBlur(roi, (0, 0), 1.0)
    radii = np.arange(lo, hi, STEP_PX, dtype=np.float32)
    cx, cy = c.x - x0, c.y - y0
    map_x = (cx + np.cos(_ANGLES)[:, None] * radii[None, :]).astype(np.float32)
    map_y = (cy + np.sin(_ANGLES)[:, None] * radii[None, :]).astype(np.float32)
    polar = cv2.remap(smooth, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    polar = polar.astype(np.float32)
    rise = np.zeros_like(polar)
    rise[:, 2:-2] = (polar[:, 4:] - polar[:, :-4]) / (4 * STEP_PX)
    peak = np.zeros_like(polar, dtype=bool)
    inner = rise[:, 1:-1]
    peak[:, 1:-1] = (inner >= rise[:, :-2]) & (inner > rise[:, 2:])
    strongest = rise.max(axis=1, keepdims=True)
    peak &= (rise >= EDGE_SHARE * strongest) & (rise >= MIN_RISE)
    has = peak.any(axis=1)
    k = peak.argmax(axis=1)  # the innermost clear rise
    r = radii[k]
    xs = c.x + np.cos(_ANGLES) * r
    ys = c.y + np.sin(_ANGLES) * r
    strength = np.where(has, rise[np.arange(k.size), k], 0.0)
    return xs[has], ys[has], strength[has]


def _refine(frame: np.ndarray, c: Candidate) -> tuple[PupilObservation, float, float]:
    """The candidate's circle fitted to its edge points, the share of all rays on it, and its
    support (that share x the mean rise there); (NOT_FOUND, 0, 0) if there is none."""
    lost = NOT_FOUND, 0.0, 0.0
    points = _edge_points(frame, c)
    if points is None or points[0].size < 12:
        return lost
    px, py, strength = points
    fx, fy = c.x, c.y
    fr = median(np.hypot(px - fx, py - fy))
    keep = np.ones(px.size, bool)
    for _ in range(4):
        resid = np.abs(np.hypot(px - fx, py - fy) - fr)
        # The scale from all rays' residuals: lashes and lids are the minority, so their residuals
        # do not set it (a scale from the previous inliers keeps whatever the first fit took in).
        keep = resid <= max(1.0, 2.0 * median(resid))
        if keep.sum() < 12:
            return lost
        fx, fy, fr = _circle_fit(px[keep], py[keep])
    resid = np.abs(np.hypot(px - fx, py - fy) - fr)
    on = resid <= max(1.5, ON_CIRCLE * fr)
    share = float(on.sum() / _ANGLES.size)
    if not MIN_RADIUS_PX <= fr <= MAX_RADIUS_PX or share < MIN_SUPPORT:
        return lost
    # Completeness counts twice: a few lashes give strong edges on a part of a circle.
    return (
        PupilObservation(float(fx), float(fy), float(fr), True),
        share,
        share**2 * float(np.mean(strength[on])),
    )


def _circle_fit(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Algebraic least-squares circle (Kasa fit): centre and radius."""
    A = np.stack([x, y, np.ones_like(x)], axis=1).astype(np.float64)
    b = (x * x + y * y).astype(np.float64)
    # The normal equations: a 3x3 solve, a tenth of lstsq's per-call cost at 72 points.
    try:
        a0, a1, a2 = np.linalg.solve(A.T @ A, A.T @ b)
    except np.linalg.LinAlgError:  # collinear points: no circle (NaN fails every check after)
        return math.nan, math.nan, math.nan
    fx, fy = a0 / 2, a1 / 2
    return float(fx), float(fy), float(np.sqrt(max(a2 + fx * fx + fy * fy, 0.0)))


def track_pupil(frames: np.ndarray) -> tuple[PupilObservation, ...]:
    """The pupil of every frame of an (n, H, W) uint8 stack.

    Each frame's edge is first sought around the last frame's pupil (50 ms earlier: the eye and
    the pupil have moved by a few px at most); where that edge is not clear (TRACK_SHARE of the
    rays) or its radius jumped, the frame is searched afresh with `find_pupil`. Half the cost of
    a fresh search on every frame, the same circle where the edge is clear. At most HARDER_LOOKS
    frames look at every dark disc: a pupil found once is tracked from then on, and a sequence with
    no pupil anywhere (a print without one, a blank) costs little more than before.
    """
    out: list[PupilObservation] = []
    harder = HARDER_LOOKS
    for frame in frames:
        last = out[-1] if out else NOT_FOUND
        if last.found:
            seen, share, _ = _refine(frame, Candidate(last.x, last.y, last.radius, 0.0))
            if share >= TRACK_SHARE and abs(seen.radius - last.radius) <= TRACK_RADIUS_CHANGE * last.radius:
                out.append(seen)
                continue
        seen = find_pupil(frame, look_harder=False)
        if not seen.found and harder > 0:
            harder -= 1
            seen = _every_disc(frame)
        out.append(seen)
    return tuple(out)


def estimate_iris_radius(frame: np.ndarray, pupil: PupilObservation) -> float:
    """Iris radius in px from the dark-to-bright limbus step left and right of the pupil (NaN if none).

    Looks along a 7-row band through the pupil centre (lids rarely cover the limbus at 3 and 9
    o'clock) for the strongest outward brightening between 1.4 pupil radii and MAX_IRIS_PX.
    """
    if not pupil.found:
        return math.nan
    h, w = frame.shape
    y = int(np.clip(round(pupil.y), 3, h - 4))
    row = cv2.GaussianBlur(frame[y - 3 : y + 4].astype(np.float32).mean(axis=0)[None, :], (0, 0), 2.0)[0]
    lo = int(max(1.4 * pupil.radius, MIN_IRIS_PX))
    offsets = np.arange(lo, MAX_IRIS_PX)
    total = np.zeros(offsets.size, np.float32)
    for sign in (1, -1):  # the limbus brightens outward on both sides at about the same radius
        xs = np.clip(np.round(pupil.x + sign * offsets).astype(int), 1, w - 2)
        grad = (row[xs + sign] - row[xs - sign]) / 2
        grad[(pupil.x + sign * offsets < 1) | (pupil.x + sign * offsets > w - 2)] = 0.0
        total += np.maximum(grad, 0.0)
    # The pupil is decentred by a few px: blur so that the two sides' peaks overlap.
    total = cv2.GaussianBlur(total[None, :], (0, 0), 3.0)[0]
    if total.max() <= 0:
        return math.nan
    return float(offsets[int(np.argmax(total))])
