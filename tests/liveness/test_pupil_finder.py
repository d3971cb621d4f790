"""The pupil finder against the renderer's ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from liveness.pupil_finder import estimate_iris_radius, find_pupil
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye_with_truth


@pytest.mark.parametrize("seed", range(6))
def test_pupil_centre_and_radius_match_ground_truth(seed):
    rng = np.random.default_rng(100 + seed)
    conditions = CaptureConditions.random(rng, upper_lid=1.1, lower_lid=1.2)
    image, truth = render_eye_with_truth(EyeIdentity.from_seed(seed, "L"), conditions)
    p = find_pupil(image)
    assert p.found
    assert abs(p.x - truth.pupil.x) < 1.5 and abs(p.y - truth.pupil.y) < 1.5
    assert abs(p.radius - truth.pupil.r) < 2.0
    assert abs(estimate_iris_radius(image, p) - truth.iris.r) < 0.12 * truth.iris.r


def test_a_blank_frame_has_no_pupil():
    assert not find_pupil(np.full((480, 640), 128, np.uint8)).found
    assert not find_pupil(np.zeros((480, 640), np.uint8)).found
