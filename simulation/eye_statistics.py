"""Image statistics of a near-infrared eye photograph, computed the same way on a real image and a render.

Regions come from the iris pipeline's own segmentation (pupil and limbus circles, lid parabolas,
noise mask), so that a statistic means the same thing on both sides of a real-vs-synthetic
comparison. Lengths are in iris radii or fractions of the frame, so that a 320x240 photograph and
a 640x480 render compare directly; grey levels are 8-bit. Every statistic is named and documented
in `STATISTICS`; a statistic that cannot be measured on an image (no lid found, no reflection) is
NaN, and summaries ignore NaNs.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass, fields

import cv2
import numpy as np

from enrollment.iris.normalize import NormalizationParams, normalize
from enrollment.iris.segment import Segmentation

STATISTICS: dict[str, str] = {
    "iris_radius_frame": "limbus radius / frame height (framing: how much of the frame the eye fills)",
    "iris_center_x": "limbus centre x / frame width (framing)",
    "iris_center_y": "limbus centre y / frame height (framing)",
    "pupil_iris_ratio": "pupil radius / limbus radius",
    "frame_grey": "median grey level of the whole frame (exposure)",
    "pupil_grey": "median grey of the pupil disc inside 0.7 pupil radii, reflections excluded",
    "iris_grey": "median grey of the visible iris (annulus minus the noise mask)",
    "sclera_grey": "median grey 1.08-1.3 iris radii out, lateral sectors (+-25 deg), inside the frame",
    "pupil_contrast": "(iris - pupil) / (iris + pupil), Michelson contrast of the pupil boundary",
    "limbus_contrast": "(sclera - iris) / (sclera + iris), Michelson contrast of the limbus",
    "pupil_edge_width": "10-90% rise of the pupil boundary's radial profile, in iris radii x 100",
    "limbus_edge_width": "10-90% rise of the limbus's lateral radial profile, in iris radii x 100",
    "texture_fine": "std / mean of the normalized iris strip band-passed at sigma 1-2 sheet px",
    "texture_mid": "std / mean of the normalized iris strip band-passed at sigma 2-4 sheet px",
    "texture_coarse": "std / mean of the normalized iris strip band-passed at sigma 4-8 sheet px",
    "upper_lid_cover": "share of the iris annulus's upper half above the upper lid parabola",
    "lower_lid_cover": "share of the iris annulus's lower half below the lower lid parabola",
    "upper_lid_height": "upper lid apex above the limbus centre, in iris radii (NaN: no lid found)",
    "upper_lid_curvature": "upper lid parabola's curvature x iris radius (lid shape; NaN: no lid)",
    "lash_density": "share of dark thin structure (black-hat) in the iris band below the upper lid",
    "specular_count": "bright compact spots (reflections) within 1.5 pupil radii of the pupil centre",
    "specular_size": "median equivalent radius of those spots, in iris radii x 100 (NaN: none)",
    "noise_sigma": "sensor noise, grey levels: robust Immerkaer estimate (median |3x3 Laplacian|)",
}

TEXTURE_BANDS = ((1.0, 2.0), (2.0, 4.0), (4.0, 8.0))  # DoG sigmas in sheet pixels (64 x 512 strip)
SHEET = NormalizationParams(rows=64, cols=512, inner=0.05, outer=0.9)  # away from blurred boundaries
LASH_BAND = 0.3  # iris radii below the upper lid (or the top of the iris) where lashes hang
LASH_KERNEL = 0.08  # black-hat element, iris radii: wider than a lash, narrower than a crypt field
LASH_DEPTH = 0.12  # a lash pixel is this fraction of the iris grey darker than its closing
SPECULAR_ABOVE = 0.6  # a reflection peaks this far from the sclera level up to 255
SPECULAR_REACH = 1.5  # pupil radii from the pupil centre
SPECULAR_MAX = 0.1  # iris radii: the largest equivalent radius still a compact reflection
_IMMERKAER = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)  # sum of squares 36


@dataclass(frozen=True)
class EyeStatistics:
    """The statistics of one image; field names and meanings as in `STATISTICS`."""

    iris_radius_frame: float
    iris_center_x: float
    iris_center_y: float
    pupil_iris_ratio: float
    frame_grey: float
    pupil_grey: float
    iris_grey: float
    sclera_grey: float
    pupil_contrast: float
    limbus_contrast: float
    pupil_edge_width: float
    limbus_edge_width: float
    texture_fine: float
    texture_mid: float
    texture_coarse: float
    upper_lid_cover: float
    lower_lid_cover: float
    upper_lid_height: float
    upper_lid_curvature: float
    lash_density: float
    specular_count: float
    specular_size: float
    noise_sigma: float

    def as_array(self) -> np.ndarray:
        """The statistics as float64 in `STATISTICS` order."""
        return np.array(astuple(self), dtype=np.float64)


assert [f.name for f in fields(EyeStatistics)] == list(STATISTICS)


def _median(values: np.ndarray) -> float:
    return float(np.median(values)) if values.size else math.nan


def _parabola_y(p, dx: np.ndarray) -> np.ndarray:
    a, b, c = p
    return a * dx * dx + b * dx + c


def _edge_width(profile: np.ndarray, step: float) -> float:
    """Distance between the 10% and 90% crossings of a rising profile, in the radii's units."""
    lo, hi = float(profile[:3].mean()), float(profile[-3:].mean())
    if hi - lo < 4.0:  # no boundary to speak of (4 grey levels)
        return math.nan
    level = (profile - lo) / (hi - lo)
    above_10 = np.argmax(level >= 0.1)
    above_90 = np.argmax(level >= 0.9)
    return max(float(above_90 - above_10), 0.0) * step


def _radial_profile(gray: np.ndarray, cx: float, cy: float, radii: np.ndarray, angles_deg: np.ndarray):
    a = np.deg2rad(angles_deg)[:, None]
    map_x = (cx + radii[None, :] * np.cos(a)).astype(np.float32)
    map_y = (cy + radii[None, :] * np.sin(a)).astype(np.float32)
    h, w = gray.shape
    inside = np.all((map_x >= 0) & (map_x <= w - 1) & (map_y >= 0) & (map_y <= h - 1), axis=1)
    if not inside.any():
        return None
    samples = cv2.remap(gray.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR)
    return np.median(samples[inside], axis=0)


def _texture(gray: np.ndarray, seg: Segmentation) -> tuple[float, float, float]:
    norm = normalize(gray, seg, SHEET)
    valid = cv2.erode(norm.valid.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if valid.sum() < 0.05 * valid.size:
        return (math.nan,) * 3
    sheet = norm.sheet
    mean = float(sheet[valid].mean())
    out = []
    for s1, s2 in TEXTURE_BANDS:
        band = cv2.GaussianBlur(sheet, (0, 0), s1, borderType=cv2.BORDER_REFLECT)
        band = band - cv2.GaussianBlur(sheet, (0, 0), s2, borderType=cv2.BORDER_REFLECT)
        out.append(float(band[valid].std() / max(mean, 1.0)))
    return out[0], out[1], out[2]


def measure_eye(gray: np.ndarray, seg: Segmentation) -> EyeStatistics:
    """The statistics of `gray` (uint8, 2-D) in the regions of its segmentation `seg`.

    Raises ValueError for an image that is not 2-D uint8.
    """
    if not isinstance(gray, np.ndarray) or gray.ndim != 2 or gray.dtype != np.uint8:
        raise ValueError("gray must be a 2-D uint8 array")
    h, w = gray.shape
    p, i = seg.pupil, seg.iris
    R = float(i.r)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    d_pupil = np.hypot(xs - p.x, ys - p.y)
    d_iris = np.hypot(xs - i.x, ys - i.y)
    bright = gray >= 250
    annulus = (d_pupil > p.r) & (d_iris < R)

    pupil_grey = _median(gray[(d_pupil < 0.7 * p.r) & ~bright])
    iris_grey = _median(gray[annulus & ~seg.noise_mask])
    angle = np.degrees(np.arctan2(ys - i.y, xs - i.x))
    lateral = (np.abs(angle) < 25) | (np.abs(angle) > 155)
    sclera_zone = lateral & (d_iris > 1.08 * R) & (d_iris < 1.3 * R) & ~bright
    sclera_grey = _median(gray[sclera_zone])

    steps = np.linspace(-0.25, 0.25, 51)  # +-0.25 iris radii across each boundary, 0.01 apart
    pupil_profile = _radial_profile(gray, p.x, p.y, p.r + steps * R, np.arange(-40, 221, 10))
    limbus_profile = _radial_profile(gray, i.x, i.y, R + steps * R, np.r_[-25:26:5, 155:206:5])
    pupil_edge = _edge_width(pupil_profile, 1.0) if pupil_profile is not None else math.nan
    limbus_edge = _edge_width(limbus_profile, 1.0) if limbus_profile is not None else math.nan

    upper_half, lower_half = annulus & (ys < i.y), annulus & (ys >= i.y)
    dx = xs - i.x
    upper_cover = lower_cover = 0.0
    lid_height = lid_curvature = math.nan
    top = np.full(w, i.y - R, np.float32)  # where lashes start hanging, per column
    if seg.upper_lid is not None:
        lid_y = _parabola_y(seg.upper_lid, dx)
        upper_cover = float((upper_half & (ys < lid_y)).sum() / max(upper_half.sum(), 1))
        lid_height = float((i.y - seg.upper_lid[2]) / R)
        lid_curvature = float(seg.upper_lid[0] * R)
        top = np.maximum(top, _parabola_y(seg.upper_lid, dx[0]))
    if seg.lower_lid is not None:
        lid_y = _parabola_y(seg.lower_lid, dx)
        lower_cover = float((lower_half & (ys > lid_y)).sum() / max(lower_half.sum(), 1))

    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (max(3, int(LASH_KERNEL * R) | 1),) * 2)
    blackhat = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel).astype(np.float32)
    band = (d_iris < R) & (d_pupil > p.r) & (ys >= top[None, :]) & (ys < top[None, :] + LASH_BAND * R)
    lash = blackhat > LASH_DEPTH * max(iris_grey, 1.0)
    lash_density = float(lash[band].mean()) if band.any() else math.nan

    # The brightest diffuse surface beside the iris is the reference a reflection must stand above.
    diffuse = next((v for v in (sclera_grey, iris_grey) if math.isfinite(v)), 200.0)
    spec_level = min(diffuse + SPECULAR_ABOVE * (255.0 - diffuse), 250.0)
    # Over and around the pupil, where an iris camera's illuminator reflects off the cornea: farther
    # out, bright skin between lashes (where no lid was found) would count as reflections.
    cornea = (d_pupil < SPECULAR_REACH * p.r) & (ys >= top[None, :])
    spots = ((gray >= spec_level) & cornea).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(spots, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    # A single hot pixel is noise; a patch wider than a tenth of the iris is skin or sclera.
    areas = areas[(areas >= 2) & (areas <= np.pi * (SPECULAR_MAX * R) ** 2)]
    spec_size = float(np.median(np.sqrt(areas / np.pi)) / R * 100.0) if areas.size else math.nan

    lap = cv2.filter2D(gray.astype(np.float32), -1, _IMMERKAER)[1:-1, 1:-1]
    noise = float(1.4826 * np.median(np.abs(lap)) / 6.0)
    fine, mid, coarse = _texture(gray, seg)

    def michelson(hi: float, lo: float) -> float:
        return (hi - lo) / (hi + lo) if hi + lo > 0 else math.nan

    return EyeStatistics(
        iris_radius_frame=R / h,
        iris_center_x=float(i.x) / w,
        iris_center_y=float(i.y) / h,
        pupil_iris_ratio=float(p.r) / R,
        frame_grey=float(np.median(gray)),
        pupil_grey=pupil_grey,
        iris_grey=iris_grey,
        sclera_grey=sclera_grey,
        pupil_contrast=michelson(iris_grey, pupil_grey),
        limbus_contrast=michelson(sclera_grey, iris_grey),
        pupil_edge_width=pupil_edge,
        limbus_edge_width=limbus_edge,
        texture_fine=fine,
        texture_mid=mid,
        texture_coarse=coarse,
        upper_lid_cover=upper_cover,
        lower_lid_cover=lower_cover,
        upper_lid_height=lid_height,
        upper_lid_curvature=lid_curvature,
        lash_density=lash_density,
        specular_count=float(len(areas)),
        specular_size=spec_size,
        noise_sigma=noise,
    )


def measure_image(gray: np.ndarray) -> EyeStatistics:
    """Segment `gray` with the iris pipeline, then measure it; raises QualityError when no eye is found."""
    from enrollment.iris.segment import segment

    return measure_eye(gray, segment(gray))


def summarize(rows: list[EyeStatistics]) -> dict[str, tuple[float, float, float]]:
    """Per statistic: (median, 25th, 75th percentile) over the images, NaNs ignored."""
    if not rows:
        raise ValueError("no statistics to summarize")
    table = np.stack([r.as_array() for r in rows])
    out = {}
    for k, name in enumerate(STATISTICS):
        column = table[:, k][np.isfinite(table[:, k])]
        if column.size == 0:
            out[name] = (math.nan, math.nan, math.nan)
        else:
            q25, q50, q75 = np.percentile(column, [25, 50, 75])
            out[name] = (float(q50), float(q25), float(q75))
    return out
