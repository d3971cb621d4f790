"""Finding the limbus (iris-sclera boundary): the strongest lateral edges, both sides agreeing.

The limbus is searched where it is seen on real eyes: left and right of the pupil (the top and
bottom are often under the eyelids; Daugman 2004 section 2 and open-iris restrict it the same
way). Along each ray from the pupil centre the limbus is a sustained rise from iris to sclera; the
median over a sector's rays of that rise, at each distance, is the side's edge profile, so lashes
or a lid corner crossing a few rays do not move it. An iris circle must put an edge on BOTH sides
(its score is the weaker side's), be near-concentric with the pupil (its centre within
`max_center_offset` iris radii) and have a plausible pupil/iris ratio. A one-sided edge (an eye
corner, a lid fold, a glasses rim) or the pupil's own edge therefore cannot win against it. Only
when no both-sided pair scores half as much as the strongest single edge (one side shadowed or
low in contrast, or the iris running out of the frame) does that edge alone place a circle
concentric with the pupil (tuning split: GFNMR at FMR 1e-3 2.12% -> 1.35%). Where that edge
leaves the pupil over half the iris's radius, a concentric both-sided pair further out scoring half
as much still wins: the sclera lies outside every iris structure, and a dark ring of crypts can
step onto lighter iris more sharply than either side of the limbus rises (027/L; all 1,120: FTE
0.36% -> 0.09%, GFNMR at 1e-3 1.13% -> 0.66%). The circle is then
refined at full resolution with Daugman's integro-differential operator (trimmed, lateral arcs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .errors import QualityError
from .geometry import Circle, center_grid, degrees, integro_differential, sample_polar

RIGHT_SECTOR, LEFT_SECTOR = (-30.0, 42.0), (138.0, 210.0)  # degrees, image y down: a little low
LATERAL_SECTORS = (RIGHT_SECTOR, LEFT_SECTOR)


@dataclass(frozen=True)
class LimbusParams:
    """Limbus search settings (ratios are pupil radius / iris radius, as ISO/IEC 29794-6 reports)."""

    min_pupil_ratio: float = 0.1
    max_pupil_ratio: float = 0.8
    # The pupil opens to ~8 mm at most in an iris ~12 mm across (ratio ~0.7): a "limbus" closer
    # to the pupil than that is more often an inner ring (the collarette of a light iris, a band
    # of crypts) than a dilated pupil. It is taken only when no edge at a plausible ratio scores
    # `dilated_preference` of it (tuning split: FTE 1.3% -> 0.6%, GFNMR at 1e-3 3.5% -> 3.0%).
    plausible_pupil_ratio: float = 0.7
    dilated_preference: float = 0.4
    # How far the iris centre may lie from the pupil's, in iris radii: the pupil sits nasal and a
    # little up in the iris (~0.05), and off-axis gaze moves it further. It scales with the iris.
    max_center_offset: float = 0.15
    max_radius_fraction: float = 0.6  # of the image's shorter side (lids and frame cut the rest)
    work_pixels: int = 160 * 120  # coarse search resolution (refined at full resolution after)
    # Half-width of the rise measured across the limbus, as a fraction of the distance from the
    # pupil centre: the limbus is a gradual edge ~5-10% of the iris radius wide in focused NIR
    # images, wider than the thin rings of iris texture (collarette, furrows) it must beat.
    step_window: float = 0.06
    # Of two both-sided edges, the outer is taken while it is at least this fraction of the
    # strongest: the sclera is outside every iris structure, and a light iris can have a
    # collarette whose step rivals a low-contrast limbus.
    outer_preference: float = 0.8
    # The sclera beyond the limbus is smooth; iris beyond an inner ring (collarette, crypts) is
    # textured: an edge's rise is docked this many standard deviations of what lies outside it.
    texture_penalty: float = 1.0
    # Fraction of the arc's angles dropped at each end of the per-radius edge strengths in the fine
    # fit (alpha-trimmed mean): a lower lid or lashes reaching into a lateral sector are outliers.
    trim: float = 0.2
    # When one side shows no limbus (a shadowed or low-contrast sclera, a lid corner, the iris
    # running out of the frame), the other side's edge alone places a circle concentric with the
    # pupil, scored as half the evidence of a both-sided pair. It is taken only where it beats
    # every both-sided pair: an iris is concentric with its pupil to a few % of its radius.
    one_sided_weight: float = 0.5
    # A both-sided pair further out than the one-sided edge wins while it scores this fraction of
    # that edge's (already weighted) score: the one-sided circle is for a limbus NOT seen on one
    # side, and a pair outside it is a limbus seen on both (027/L: a dark crypt ring, r ~0.65 of
    # the iris, steps onto lighter iris more sharply than the limbus does).
    outer_one_sided: float = 0.5
    outer_center_offset: float = 0.1  # that pair's centre within this many iris radii of the pupil's
    # ... and only where the one-sided edge leaves the pupil over this fraction of its radius (a
    # pupil is ~0.3-0.5 of the iris under the station's light; 027/L's ring made it ~0.6). Below
    # that, an outer pair was as often the skin or a shadow beyond the limbus (107/R/08, 005/L/04).
    inner_ring_ratio: float = 0.5

    def __post_init__(self) -> None:
        if not 0 < self.min_pupil_ratio < self.max_pupil_ratio < 1:
            raise ValueError("need 0 < min_pupil_ratio < max_pupil_ratio < 1")
        if not 0 < self.max_center_offset < 0.5 or not 0 <= self.trim < 0.5:
            raise ValueError("max_center_offset must be in (0, 0.5) and trim in [0, 0.5)")
        if not self.min_pupil_ratio < self.plausible_pupil_ratio <= self.max_pupil_ratio:
            raise ValueError("need min_pupil_ratio < plausible_pupil_ratio <= max_pupil_ratio")
        if not 0 < self.dilated_preference <= 1:
            raise ValueError("dilated_preference must be in (0, 1]")
        if not 0 < self.step_window < 0.3 or not 0 < self.outer_preference <= 1:
            raise ValueError("step_window must be in (0, 0.3) and outer_preference in (0, 1]")


def side_profiles(
    work: np.ndarray, x: float, y: float, radii: np.ndarray, window: np.ndarray, texture_penalty: float
) -> np.ndarray:
    """Edge profiles (2, len(radii)) of the right and left sectors seen from (x, y).

    Each is the median over the sector's rays of mean(outside) - mean(inside) over `window[m]`
    samples either side of radii[m] (1 px apart), less `texture_penalty` times the standard
    deviation outside: grey levels of sustained rise onto a smooth surface (the sclera is smooth,
    iris beyond a ring of crypts is not). NaN where the window leaves the sampled range.
    """
    out = np.full((2, len(radii)), np.nan, dtype=np.float32)
    m = np.arange(len(radii))
    ok = (m - window >= 0) & (m + window < len(radii))
    m, w = m[ok], window[ok]
    for side, sector in enumerate(LATERAL_SECTORS):
        rays = sample_polar(work, np.array([x]), np.array([y]), radii, degrees(sector, step=4.0))[0]
        zero = np.zeros((len(rays), 1), np.float32)
        csum = np.concatenate([zero, np.cumsum(rays, axis=1)], axis=1)
        csq = np.concatenate([zero, np.cumsum(rays * rays, axis=1)], axis=1)
        ahead = (csum[:, m + w + 1] - csum[:, m + 1]) / w
        behind = (csum[:, m] - csum[:, m - w]) / w
        spread = np.sqrt(np.maximum((csq[:, m + w + 1] - csq[:, m + 1]) / w - ahead * ahead, 0.0))
        out[side, m] = np.median(ahead - behind - texture_penalty * spread, axis=0)
    return out


def best_pair(
    profiles: np.ndarray, radii: np.ndarray, params: LimbusParams, r_lo: float, r_hi: float, pupil_r: float
):
    """(left distance, right distance, score) of the best both-sided edge pair; None if there is none.

    A pair (dL, dR) is an iris of radius (dL + dR) / 2 centred (dR - dL) / 2 to the right of the
    pupil; it scores the weaker side's rise. Among local maxima the outermost pair scoring at
    least `outer_preference` of the best wins; if it would make the pupil (radius `pupil_r`)
    implausibly large, the strongest plausible pair scoring `dilated_preference` of it wins instead.
    """
    right, left = np.nan_to_num(profiles, nan=-np.inf)
    score = np.minimum(left[:, None], right[None, :])  # [i: left distance, j: right distance]
    radius = (radii[:, None] + radii[None, :]) / 2
    offset = np.abs(radii[None, :] - radii[:, None]) / 2
    allowed = (offset <= params.max_center_offset * radius) & (radius >= r_lo) & (radius <= r_hi)
    score = np.where(allowed & (score > 0), score, -np.inf)
    if not np.isfinite(score).any():
        return None
    padded = np.pad(score, 1, constant_values=-np.inf)
    peak = np.isfinite(score)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                peak &= score >= padded[1 + di : 1 + di + score.shape[0], 1 + dj : 1 + dj + score.shape[1]]
    best = float(score.max())
    candidates = np.argwhere(peak & (score >= params.outer_preference * best))
    i, j = max(candidates, key=lambda ij: radius[ij[0], ij[1]])
    if pupil_r > params.plausible_pupil_ratio * radius[i, j]:
        plausible = np.argwhere(
            peak
            & (pupil_r <= params.plausible_pupil_ratio * radius)
            & (score >= params.dilated_preference * score[i, j])
        )
        if len(plausible):
            i, j = max(plausible, key=lambda ij: score[ij[0], ij[1]])
    return float(radii[i]), float(radii[j]), float(score[i, j])


def one_sided(
    profiles: np.ndarray, radii: np.ndarray, params: LimbusParams, r_lo: float, r_hi: float, pupil_r: float
):
    """(distance, distance, score) of the strongest edge on either side taken alone; None if none.

    The circle is concentric with the pupil at that edge's distance; it must leave the pupil a
    plausible size, and it scores `one_sided_weight` of the edge's rise.
    """
    values = np.nan_to_num(profiles, nan=-np.inf)
    padded = np.pad(values, ((0, 0), (1, 1)), constant_values=-np.inf)
    peak = (values >= padded[:, :-2]) & (values >= padded[:, 2:]) & (values > 0)
    allowed = (radii >= r_lo) & (radii <= r_hi) & (pupil_r <= params.plausible_pupil_ratio * radii)
    values = np.where(peak & allowed[None, :], values, -np.inf)
    if not np.isfinite(values).any():
        return None
    _, m = np.unravel_index(int(np.argmax(values)), values.shape)
    return float(radii[m]), float(radii[m]), params.one_sided_weight * float(values.max())


def find_limbus(clean: np.ndarray, pupil: Circle, params: LimbusParams) -> tuple[Circle, float]:
    """The iris outer circle and its edge strength (grey levels per pixel) in `clean` (float32).

    Coarse: both-sided lateral edge pairs along rays from the pupil centre (at most `work_pixels`
    resolution), repeated from a few heights since the iris centre may sit above or below the
    pupil's. Fine: Daugman's operator at full resolution within a few pixels of that circle.
    Raises QualityError when no iris boundary is found around the pupil.
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
    px, py, pr = pupil.x * factor, pupil.y * factor, pupil.r * factor
    lo, hi = r_lo * factor, r_hi * factor
    # Distances from the pupil centre that an edge may sit at: any allowed circle's lateral edges.
    radii = np.arange(pr + 2.0, hi * (1 + params.max_center_offset) + 2.0, 1.0, dtype=np.float32)
    window = np.maximum(2, np.round(params.step_window * radii)).astype(np.int64)
    found, single_found, looks = None, False, []
    for dy in (0.0, -0.06, 0.06):  # iris centre above / below the pupil's, in iris radii
        y = py + dy * (lo + hi) / 2
        profiles = side_profiles(work, px, y, radii, window, params.texture_penalty)
        looks.append((y, profiles))
        pair = best_pair(profiles, radii, params, lo, hi, pr)
        single = one_sided(profiles, radii, params, lo, hi, pr)
        is_single = single is not None and (pair is None or single[2] > pair[2])
        if is_single:
            pair = single
        if pair is not None and (found is None or pair[2] > found[3]):
            found, single_found = (y, *pair), is_single
    if found is None:
        raise QualityError("iris boundary not found: no iris-sclera edge on both sides of the pupil")
    if single_found and pr > params.inner_ring_ratio * found[1]:
        # A one-sided edge that leaves the pupil over half the iris's radius may be an inner ring.
        # The sclera lies outside every iris structure: a pair seen on both sides further out
        # (the limbus behind a dark ring of crypts) beats the single inner edge; "further out"
        # is beyond the window over which that edge's own rise was measured.
        beyond = radii > found[1] * (1 + 2 * params.step_window)
        # It must also be as concentric as irises are: 803 of the tuning split's 840 sit within
        # 0.1 iris radii of their pupil; a pair further off is a lid corner or the skin.
        near = replace(params, max_center_offset=params.outer_center_offset)
        outer = [(y, best_pair(np.where(beyond, p, np.nan), radii, near, lo, hi, pr)) for y, p in looks]
        outer = [(y, *pair) for y, pair in outer if pair is not None]
        if outer and max(o[3] for o in outer) >= params.outer_one_sided * found[3]:
            found = max(outer, key=lambda o: o[3])
    y, d_left, d_right, _ = found
    coarse = Circle(px + (d_right - d_left) / 2, y, (d_left + d_right) / 2).scaled(1.0 / factor)
    # Fine: the coarse step is 1/factor pixels, so the operator searches that far around it, then
    # (when that grid was coarser than half a pixel) once more at half-pixel steps.
    arcs = degrees(*LATERAL_SECTORS, step=3.0)
    circle, edge = coarse, 0.0
    for half, step in ((3.0 / factor, 0.5 / factor), (0.5 / factor, 0.5)):
        centers = center_grid(circle.x, circle.y, half, step)
        lo_r, hi_r = max(circle.r - half, r_lo), min(circle.r + half, r_hi)
        radii_fine = np.arange(lo_r - 2 * step, hi_r + 2 * step + 1e-3, step, dtype=np.float32)
        circle, edge = integro_differential(clean, centers, radii_fine, arcs, smoothing=1.5, trim=params.trim)
        if step <= 0.5:
            break
    return circle, edge
