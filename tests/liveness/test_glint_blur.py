"""The reflection-blur measure: it grows with defocus and motion, and says NaN without reflections."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from hardware.illumination import IlluminationSchedule
from liveness.glint_blur import STEP_PX, glint_blur, ray_skirt, ray_skirts
from liveness.pupil_finder import track_pupil
from simulation.live_eye import capture_bona_fide_sequence
from simulation.synthetic_eye import CaptureConditions, EyeIdentity


def _profile(sigma: float) -> np.ndarray:
    """A ray through a saturating disc edge (at 4 px, 3x the sensor's range) onto a dark pupil."""
    r = np.arange(0.0, 14.0, STEP_PX)
    radiance = np.where(r < 4.0, 3.0, 0.05)
    if sigma > 0:
        radiance = cv2.GaussianBlur(radiance.reshape(1, -1).astype(np.float32), (0, 0), sigma / STEP_PX)[0]
    return np.clip(radiance * 255.0, 0, 255)


def test_the_skirt_of_a_blurred_edge_widens_with_the_blur():
    skirts = [ray_skirt(_profile(s)) for s in (0.0, 0.5, 1.0, 1.5, 2.5)]
    assert all(np.diff(skirts) > 0.2), skirts
    # A 3x-saturated edge blurred by sigma: saturation ends 0.43 sigma out, the quarter level
    # (0.5 of 1 over 3) about 1.4 sigma out: the skirt is ~1 sigma wide.
    assert skirts[3] == pytest.approx(1.5 * 0.97, abs=0.3)


def test_a_ray_that_never_saturates_or_has_no_contrast_is_not_measured():
    assert math.isnan(ray_skirt(np.full(100, 120.0)))  # starts outside any saturated core
    flat = _profile(1.0)
    assert math.isnan(ray_skirt(np.maximum(flat, 230.0)))  # a bright surround: no background to reach


def _sequence(defocus: float, motion: float) -> np.ndarray:
    rng = np.random.default_rng(3)
    conditions = CaptureConditions(defocus=defocus, motion_blur=motion, noise=0.01)
    schedule = IlluminationSchedule.random_step(np.random.default_rng(4), n_frames=10)
    return capture_bona_fide_sequence(EyeIdentity.from_seed(11, "L"), schedule, conditions, rng)


def test_the_same_eye_measures_blurrier_when_defocused_or_moving():
    sharp, defocused, streaked = (_sequence(d, m) for d, m in ((0.2, 0.0), (2.0, 0.0), (0.2, 6.0)))
    blur = [glint_blur(f, track_pupil(f), 2) for f in (sharp, defocused, streaked)]
    assert blur[0] < 2.2 and blur[1] > blur[0] + 0.4 and blur[2] > blur[0] + 0.2, blur


def test_frames_without_saturated_reflections_measure_nan():
    frames = _sequence(0.2, 0.0)
    dimmed = (frames.astype(np.float32) * 0.8).astype(np.uint8)  # nothing reaches saturation
    assert math.isnan(glint_blur(dimmed, track_pupil(dimmed), 2))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_vectorised_skirts_equal_the_ray_by_ray_definition_to_the_bit(dtype):
    rng = np.random.default_rng(21)
    r = np.arange(0.0, 14.0, STEP_PX)
    for _ in range(300):
        background, width = rng.uniform(0, 235), rng.uniform(0.05, 4.0)
        edge = np.clip((r - rng.uniform(-0.5, 4.0)) / width * 4, -50, 50)
        ray = background + (255 - background) / (1 + np.exp(edge)) + rng.normal(0, rng.uniform(0, 6), r.size)
        rays = np.clip(np.stack([ray, ray + rng.normal(0, 20, r.size), np.round(ray)]), 0, 255).astype(dtype)
        if rng.random() < 0.2:
            rays[:, rng.integers(0, r.size) :] = rng.uniform(0, 255)  # another reflection, a lash
        expected = np.array([ray_skirt(p) for p in rays])
        assert np.array_equal(ray_skirts(rays), expected, equal_nan=True)
