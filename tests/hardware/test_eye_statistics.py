"""The real-vs-synthetic eye statistics, checked on drawn images whose answers are known."""

import math

import cv2
import numpy as np
import pytest

from enrollment.iris.geometry import Circle
from enrollment.iris.occlusion import Levels
from enrollment.iris.segment import Segmentation
from simulation.eye_statistics import STATISTICS, EyeStatistics, measure_eye, summarize

H, W = 240, 320
CX, CY, R, RP = 160.0, 120.0, 80.0, 30.0
PUPIL, IRIS, SCLERA = 30, 120, 200


def _drawn_eye() -> np.ndarray:
    image = np.full((H, W), SCLERA, np.uint8)
    cv2.circle(image, (int(CX), int(CY)), int(R), IRIS, -1)
    cv2.circle(image, (int(CX), int(CY)), int(RP), PUPIL, -1)
    for dx in (-10, 10):  # two reflections of radius 3 on the pupil
        cv2.circle(image, (int(CX) + dx, int(CY)), 3, 255, -1)
    return image


def _segmentation(upper_lid=None) -> Segmentation:
    return Segmentation(
        pupil=Circle(CX, CY, RP),
        iris=Circle(CX, CY, R),
        noise_mask=np.zeros((H, W), bool),
        upper_lid=upper_lid,
        lower_lid=None,
        levels=Levels(PUPIL, IRIS, SCLERA, 1.0),
        limbus_edge=10.0,
    )


def test_every_statistic_is_documented() -> None:
    assert all(len(doc) > 20 for doc in STATISTICS.values())
    assert len(EyeStatistics.__dataclass_fields__) == len(STATISTICS)


def test_levels_geometry_and_reflections_of_a_drawn_eye() -> None:
    s = measure_eye(_drawn_eye(), _segmentation())
    assert (s.pupil_grey, s.iris_grey, s.sclera_grey) == (PUPIL, IRIS, SCLERA)
    assert s.pupil_contrast == pytest.approx((IRIS - PUPIL) / (IRIS + PUPIL))
    assert s.limbus_contrast == pytest.approx((SCLERA - IRIS) / (SCLERA + IRIS))
    assert s.iris_radius_frame == pytest.approx(R / H)
    assert (s.iris_center_x, s.iris_center_y) == (pytest.approx(0.5), pytest.approx(0.5))
    assert s.pupil_iris_ratio == pytest.approx(RP / R)
    assert s.specular_count == 2
    assert s.specular_size == pytest.approx(3.0 / R * 100.0, rel=0.1)  # equivalent radius 3 px
    assert s.pupil_edge_width <= 2.0 and s.limbus_edge_width <= 2.0  # drawn edges are a step
    assert s.upper_lid_cover == 0.0 and math.isnan(s.upper_lid_height)
    assert s.noise_sigma == 0.0
    assert s.texture_fine < 1e-3 and s.texture_coarse < 1e-3  # a flat iris has no texture


def test_a_blurred_edge_measures_wider() -> None:
    blurred = cv2.GaussianBlur(_drawn_eye(), (0, 0), 3.0)
    s = measure_eye(blurred, _segmentation())
    # A Gaussian edge of sigma 3 px rises 10%..90% over 2 x 1.28 x 3 = 7.7 px, i.e. 9.6 iris radii x 100.
    assert 7.0 <= s.limbus_edge_width <= 12.0


def test_a_lid_covers_the_share_of_the_annulus_a_circular_segment_predicts() -> None:
    d = 0.5 * R  # a flat lid half an iris radius above the centre
    s = measure_eye(_drawn_eye(), _segmentation(upper_lid=(0.0, 0.0, CY - d)))
    segment_area = R * R * math.acos(d / R) - d * math.sqrt(R * R - d * d)
    half_annulus = math.pi * (R * R - RP * RP) / 2
    assert s.upper_lid_cover == pytest.approx(segment_area / half_annulus, abs=0.02)
    assert s.upper_lid_height == pytest.approx(0.5)
    assert s.upper_lid_curvature == 0.0


def test_noise_and_texture_are_measured_in_their_units() -> None:
    rng = np.random.default_rng(0)
    flat = np.full((H, W), 128.0)
    noisy = np.clip(np.rint(flat + rng.normal(0, 4.0, flat.shape)), 0, 255).astype(np.uint8)
    assert measure_eye(noisy, _segmentation()).noise_sigma == pytest.approx(4.0, rel=0.1)
    # Angular stripes on the iris: the coarse band (sigma 4-8 sheet px) sees a 40-column period most.
    image = _drawn_eye().astype(np.float64)
    ys, xs = np.mgrid[0:H, 0:W]
    theta = np.arctan2(ys - CY, xs - CX)
    ring = (np.hypot(xs - CX, ys - CY) > RP + 2) & (np.hypot(xs - CX, ys - CY) < R - 2)
    image[ring] += 20.0 * np.sin(theta[ring] * 512 / 40)
    s = measure_eye(image.astype(np.uint8), _segmentation())
    assert s.texture_coarse > s.texture_fine > 0.0
    assert s.texture_coarse > 0.02


def test_summary_is_median_and_quartiles_ignoring_nan() -> None:
    base = measure_eye(_drawn_eye(), _segmentation())
    rows = [EyeStatistics(**{**base.__dict__, "iris_grey": float(v)}) for v in (100, 110, 120, 130, 140)]
    summary = summarize(rows)
    assert summary["iris_grey"] == (120.0, 110.0, 130.0)
    assert all(math.isnan(v) for v in summary["upper_lid_height"])
    with pytest.raises(ValueError):
        summarize([])
    with pytest.raises(ValueError):
        measure_eye(np.zeros((H, W), np.float32), _segmentation())
