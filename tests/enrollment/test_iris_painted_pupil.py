"""A pupil painted one grey by the capture software: found by its flatness, whatever its grey."""

import numpy as np
import pytest

from enrollment.iris import analyze, match
from enrollment.iris.image_input import as_gray
from enrollment.iris.painted import find_painted_pupil
from enrollment.iris.segment import segment

from .iris_fixtures import clean_capture

MIN_R, MAX_R = 0.025, 0.25  # PupilParams' defaults


def _noise(seed: int = 0, shape=(240, 320)) -> np.ndarray:
    return np.random.default_rng(seed).integers(60, 140, shape, dtype=np.uint8)


def _disc(image: np.ndarray, x: float, y: float, r: float) -> np.ndarray:
    yy, xx = np.mgrid[0 : image.shape[0], 0 : image.shape[1]]
    return (xx - x) ** 2 + (yy - y) ** 2 <= r * r


@pytest.mark.parametrize(("grey", "x", "y", "r"), [(50, 150.0, 110.0, 30.0), (120, 171.3, 98.6, 12.4)])
def test_a_painted_disc_is_found_exactly_whatever_its_grey(grey, x, y, r) -> None:
    image = _noise()
    image[_disc(image, x, y, r)] = grey
    found = find_painted_pupil(image, MIN_R, MAX_R)
    assert found is not None and found[1] == grey
    circle = found[0]
    # Pixel centres within r are painted: the edge lies half a pixel beyond r.
    assert np.hypot(circle.x - x, circle.y - y) < 0.3 and abs(circle.r - (r + 0.5)) < 0.5, circle


def test_flat_patches_that_are_not_a_painted_disc_are_left_alone() -> None:
    image = _noise(1)
    image[40:70, 40:70] = 90  # a flat square (a marker, a frame patch)
    yy, xx = np.mgrid[0:240, 0:320]
    plateau = np.clip(100 + ((xx - 230) ** 2 + (yy - 150) ** 2) / 40.0, 0, 255)  # smooth skin ...
    near = (xx - 230) ** 2 + (yy - 150) ** 2 < 40**2
    image[near] = np.maximum(plateau[near], 103).astype(np.uint8)  # ... flat at its centre, no step
    image[_disc(image, 120, 180, 20)] = 0  # black: clipped shadow or a black pupil, the dark search's
    image[_disc(image, 260, 50, 3)] = 90  # too small for a pupil
    assert find_painted_pupil(image, MIN_R, MAX_R) is None


def test_a_synthetic_eye_with_a_light_painted_pupil_segments_enrolls_and_matches() -> None:
    image, truth = clean_capture(subject=5)
    other, _ = clean_capture(subject=5, seed=2)
    gray = as_gray(image)
    # Lighter than a dark iris's crypts and than every lash: darkness alone would not find it.
    gray[_disc(gray, truth.pupil.x, truth.pupil.y, truth.pupil.r + 2)] = 110
    seg = segment(gray)
    assert seg.pupil_painted
    assert np.hypot(seg.pupil.x - truth.pupil.x, seg.pupil.y - truth.pupil.y) < 1.0
    assert abs(seg.pupil.r - (truth.pupil.r + 2.5)) < 1.0
    assert np.hypot(seg.iris.x - truth.iris.x, seg.iris.y - truth.iris.y) < 3.0
    assert abs(seg.iris.r - truth.iris.r) < 3.0
    assert seg.levels.pupil < 110  # the paint's grey is not taken for the pupil's
    assert match(analyze(gray).template, analyze(as_gray(other)).template).distance < 0.3
