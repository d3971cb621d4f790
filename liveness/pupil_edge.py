"""The pupil's radius in each frame from its edge, for the pupil-reflex cue.

The pupil finder (`liveness.pupil_finder`) thresholds each frame on its own: good enough to place
the texture crops, but its radius jumps when the threshold crosses a step of a posterized painted
iris (a doll's eye then seems to constrict), when it loses the pupil for one frame, or when a dark
iris joins the pupil. A reflex is a few-percent change of the radius, so this module measures it
differently:

- one centre track for the sequence: the median of the finder's centres, within 2 frames, that
  agree with the sequence's median (a held-out live eye's finder jittered 10 px vertically
  between frames, which no edge corrects); a frame with none of those near, where the finder
  failed or wandered off (onto a cluster of lashes, or pulled
  by lashes touching the pupil) takes the centre of the nearest frame where it agreed. Held-out
  live eyes lost their reflex when such frames were dropped: a third of the sequence, or the
  frames before the light step;
- per frame, the median radial grey profile over the lateral sectors (within 50 degrees of
  horizontal: lids and lashes sit above and below), with saturated corneal reflections and their
  halo masked out;
- the edge is where that profile rises fastest (dark pupil to brighter iris), found to sub-pixel,
  on the right and the left side separately: a centre off by d px moves one edge out by d and the
  other in by d, so their mean is the radius and half their difference corrects the centre. The
  position of the steepest rise does not move when the light scales the image, unlike a threshold
  crossing. The pupil's edge is chosen once, before the light step: the innermost clear rise
  between 0.3 and 1.4 times the finder's radius (inside a pupil nothing rises, so where the
  finder took a dark iris for pupil the first rise is still the pupil's; a held-out live eye's
  edge sat at 0.38 of such a radius). Each frame then looks
  for its edge within [0.6, 1.25] of it (a live pupil constricts by at most ~30%, and the limbus
  lies beyond 1.4 pupil radii);
- a frame is kept when it continues the last frame kept: its radius within what a pupil changes
  in that many frames (MAX_STEP each), and its corrected centre within what an eye moves. The
  two sides are not followed one by one: the finder's centre jitters by a few px between frames,
  moving one side's edge out and the other's in, which is no jump (held-out live eyes were
  dropped for it); a side that jumped to another edge moves the radius or the centre, and is.

A cosmetic lens whose print reaches over a dilated pupil shows its print's inner rim as the first
rise: a rim that does not move with the light, so no reflex is seen and the capture is refused.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .order_stats import column_nanmedian
from .pupil_finder import NOT_FOUND, PupilObservation

_HALF = np.linspace(-np.radians(50.0), np.radians(50.0), 24)
ANGLES = np.concatenate([_HALF, _HALF + np.pi]).astype(np.float32)  # right and left sectors
STEP_PX = 0.5  # radial sampling
MAX_RADIUS_PX = 120.0  # beyond the largest pupil at the station's magnification
SATURATED = 240  # grey level of a corneal reflection's core
HALO_PX = 3.0  # the reflection's glow past its saturated core, masked too (in px along a ray)
PROFILE_SIGMA = 1.5  # smoothing of the radial profile, in samples (0.75 px)
MIN_RISE = 1.0  # grey levels per px: a weaker rise is no edge
EDGE_SHARE = 0.12  # a candidate edge rises at least this share of the window's steepest rise
TRACK_WINDOW = (0.6, 1.25)  # each frame's edge, relative to the edge chosen before the step
EDGE_GROUP = 1.25  # rises this close outside the innermost one belong to the same edge
CHOICE_WINDOW = (0.3, 1.4)  # candidate edges, relative to the finder's radius before the step
MAX_STEP = 0.09  # per 50 ms frame; a reflex moves the radius ~5%, 11% at the extreme (gain 0.38, tau 0.1 s)
MAX_GAP = 3  # frames: past a few unseen frames the allowed change stops growing (a jump stays a jump)
CENTRE_SLACK_PX = 2.0  # the corrected centre's own noise (each side's edge to ~1 px)
EYE_MOTION_PX = 1.5  # per frame: fixational drift, microsaccades and head sway at this magnification
N_BEFORE = 3  # frames that define the starting edge (the step comes at frame 2 or later)
CENTRE_WINDOW = 2  # frames either side: the finder's centre jitters more between frames than an eye moves
_RADII = np.arange(0.0, MAX_RADIUS_PX + 4.0, STEP_PX, dtype=np.float32)
_HALO = np.ones((1, 2 * int(HALO_PX / STEP_PX) + 1), np.uint8)


def _centre_track(
    observations: tuple[PupilObservation, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(x, y, kept) per frame. `kept` marks the frames whose finder centre agrees with the
    sequence's median. Each frame is measured at the median of the kept centres within
    CENTRE_WINDOW frames of it: the finder's centre jitters by 5-10 px between frames on some
    eyes (a dark iris with spokes, lashes), far more than an eye moves in 50 ms, and the edges
    correct x but not y: a centre off vertically cuts a shorter chord through the pupil. A frame
    with no kept frame that near (finder failed, or wandered onto lashes or a lid shadow) takes
    the centre of the nearest kept frame, earlier on a tie. An eye moves a few px over a
    sequence, and the edges' difference corrects x, so that centre still finds the pupil's edge;
    the continuity check in `edge_radii` drops the frame where it does not."""
    x = np.array([o.x if o.found else math.nan for o in observations])
    y = np.array([o.y if o.found else math.nan for o in observations])
    r = np.array([o.radius if o.found else math.nan for o in observations])
    if not np.isfinite(x).any():
        return None
    mx, my, mr = np.nanmedian(x), np.nanmedian(y), np.nanmedian(r)
    with np.errstate(invalid="ignore"):
        kept = np.hypot(x - mx, y - my) <= 0.25 * mr + 4.0  # NaN is not kept
    index = np.flatnonzero(kept)
    if index.size == 0:  # the finder's centres scatter: no pupil to follow
        return None
    frames = np.arange(x.size)
    nearest = index[np.argmin(np.abs(frames[:, None] - index[None, :]), axis=1)]
    xs, ys = x[nearest], y[nearest]
    for i in frames:  # the median of the kept centres within CENTRE_WINDOW frames, where there are any
        near = index[np.abs(index - i) <= CENTRE_WINDOW]
        if near.size:
            xs[i], ys[i] = np.median(x[near]), np.median(y[near])
    return xs, ys, kept


def radial_rise(frame: np.ndarray, x: float, y: float) -> np.ndarray | None:
    """d(grey)/d(radius) per STEP_PX of the median profile of the right and the left sectors
    around (x, y): shape (2, radii); None when reflections hide either side."""
    map_x = (x + np.cos(ANGLES)[:, None] * _RADII[None, :]).astype(np.float32)
    map_y = (y + np.sin(ANGLES)[:, None] * _RADII[None, :]).astype(np.float32)
    polar = cv2.remap(frame, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    glare = cv2.dilate((polar >= SATURATED).astype(np.uint8), _HALO) > 0
    grey = polar.astype(np.float32)
    grey[glare] = np.nan
    rises = []
    for side in np.split(grey, 2):  # each side on its own: a centre off by d px moves one edge
        profile = column_nanmedian(side)  # out by d and the other in by d; their mean stays put
        seen = np.isfinite(profile)  # radii all glare are NaN: filled below
        if seen.sum() < 10:
            return None
        profile = np.interp(_RADII, _RADII[seen], profile[seen]).astype(np.float32)
        profile = cv2.GaussianBlur(profile[None, :], (0, 0), PROFILE_SIGMA)[0]
        rises.append(np.gradient(profile, STEP_PX))
    return np.stack(rises)


def _window(rise: np.ndarray, centre_px: float, bounds: tuple[float, float]) -> tuple[int, np.ndarray]:
    lo = int(bounds[0] * centre_px / STEP_PX)
    hi = min(rise.size - 1, int(bounds[1] * centre_px / STEP_PX))
    return lo, rise[lo:hi]


def choose_edge(rise: np.ndarray, finder_radius: float) -> float:
    """The pupil's edge (px): the innermost clear rise within CHOICE_WINDOW of the finder's radius.

    Inside a pupil nothing rises (its reflections are masked), so the first rise out of the dark
    is the pupil's edge, even where the finder took a dark iris for pupil. NaN when there is none.
    """
    lo, seg = _window(rise, finder_radius, CHOICE_WINDOW)
    if seg.size < 3 or seg.max() < MIN_RISE:
        return math.nan
    inner = seg[1:-1]
    peaks = np.flatnonzero((inner >= seg[:-2]) & (inner > seg[2:]) & (inner >= EDGE_SHARE * seg.max())) + 1
    if peaks.size == 0:
        return math.nan
    # A blurred reflection's skirt can rise a little just inside the pupil's edge: of the rises
    # within EDGE_GROUP of the innermost one, the steepest is the edge.
    group = peaks[(lo + peaks) * STEP_PX <= EDGE_GROUP * (lo + peaks[0]) * STEP_PX]
    return float((lo + group[np.argmax(seg[group])]) * STEP_PX)


def track_edge(rise: np.ndarray, start_px: float) -> float:
    """This frame's edge on one side (px, sub-pixel): the steepest rise within TRACK_WINDOW of the
    starting edge; NaN when there is none, or when it lies on the window's rim (the edge is elsewhere).
    """
    lo, seg = _window(rise, start_px, TRACK_WINDOW)
    if seg.size < 3:
        return math.nan
    k = int(np.argmax(seg))
    if k in (0, seg.size - 1) or seg[k] < MIN_RISE:
        return math.nan
    a, b, c = float(seg[k - 1]), float(seg[k]), float(seg[k + 1])
    curvature = a - 2.0 * b + c
    offset = 0.5 * (a - c) / curvature if curvature < 0 else 0.0
    return (lo + k + offset) * STEP_PX


def continues(radius: float, centre: float, previous: tuple[float, float], frames_since: int) -> bool:
    """Whether a frame's (radius, corrected centre) continue the last frame kept, `previous`, seen
    `frames_since` frames ago: the radius within MAX_STEP per frame of it, the centre within what
    an eye moves (both growing for at most MAX_GAP frames)."""
    r0, c0 = previous
    gap = min(frames_since, MAX_GAP)
    return (
        math.isfinite(radius)
        and abs(radius - r0) <= MAX_STEP * gap * r0
        and abs(centre - c0) <= CENTRE_SLACK_PX + EYE_MOTION_PX * gap
    )


def edge_radii(
    frames: np.ndarray, observations: tuple[PupilObservation, ...]
) -> tuple[PupilObservation, ...]:
    """The pupil of each frame with its radius measured at its edge (`found` False where unseen).

    `frames`: validated (n, H, W) uint8; `observations`: the finder's, one per frame. The radius is
    the mean of the right and left edges' distances, and x is corrected by half their difference.
    """
    lost = tuple(NOT_FOUND for _ in observations)
    track = _centre_track(observations)
    if track is None:
        return lost
    xs, ys, kept = track
    rises = [radial_rise(f, float(x), float(y)) for f, x, y in zip(frames, xs, ys, strict=True)]
    first = [r for r in rises[:N_BEFORE] if r is not None]
    # The finder's radius where its centre was kept, from the frames nearest the start.
    radii = [o.radius for o, k in zip(observations, kept, strict=True) if k]
    if not first:
        return lost
    mean_first = np.mean(first, axis=0)
    finder = float(np.median(radii[:N_BEFORE]))
    start = [choose_edge(mean_first[side], finder) for side in (0, 1)]
    if not all(math.isfinite(s) for s in start):
        return lost
    x_first = float(np.mean([x for r, x in zip(rises[:N_BEFORE], xs, strict=False) if r is not None]))
    previous, since = ((start[0] + start[1]) / 2, x_first + (start[0] - start[1]) / 2), 1
    out = []
    for rise, x, y in zip(rises, xs, ys, strict=True):
        right, left = (track_edge(rise[k], start[k]) for k in (0, 1)) if rise is not None else (math.nan,) * 2
        radius, centre = (right + left) / 2, float(x + (right - left) / 2)
        if continues(radius, centre, previous, since):
            previous, since = (radius, centre), 1
            out.append(PupilObservation(centre, float(y), radius, True))
        else:
            since += 1
            out.append(NOT_FOUND)
    return tuple(out)
