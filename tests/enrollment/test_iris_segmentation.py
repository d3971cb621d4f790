"""Segmentation and noise mask against the renderer's ground truth."""

import dataclasses

import cv2
import numpy as np
import pytest

from enrollment.iris.errors import QualityError
from enrollment.iris.geometry import Circle
from enrollment.iris.image_input import as_gray
from enrollment.iris.limbus import LimbusParams, find_limbus
from enrollment.iris.segment import segment
from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye_with_truth

from .iris_fixtures import clean_capture


def _annulus(seg, shape):
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    inside = (xx - seg.iris.x) ** 2 + (yy - seg.iris.y) ** 2 < seg.iris.r**2
    return inside & ((xx - seg.pupil.x) ** 2 + (yy - seg.pupil.y) ** 2 > seg.pupil.r**2)


def test_boundaries_within_tolerance_on_random_captures() -> None:
    rng = np.random.default_rng(3)
    errors = []
    for k in range(10):
        image, truth = render_eye_with_truth(
            EyeIdentity.from_seed(300 + k, "R"), CaptureConditions.random(rng)
        )
        seg = segment(as_gray(image))
        errors.append(
            (
                np.hypot(seg.pupil.x - truth.pupil.x, seg.pupil.y - truth.pupil.y),
                abs(seg.pupil.r - truth.pupil.r),
                np.hypot(seg.iris.x - truth.iris.x, seg.iris.y - truth.iris.y),
                abs(seg.iris.r - truth.iris.r),
            )
        )
    errors = np.array(errors)
    # Median error about a pixel; at most one capture of ten may miss by more than 3 px.
    assert np.all(np.median(errors, axis=0) < 1.5), errors
    assert np.sum(np.any(errors > 3.0, axis=1)) <= 1, errors


def test_mask_excludes_eyelids_lashes_and_reflections() -> None:
    image, truth = clean_capture(subject=11, upper_lid=0.55, lower_lid=0.8, lashes=0.4)
    seg = segment(as_gray(image))
    kept = _annulus(seg, image.shape) & ~seg.noise_mask
    lid = truth.iris_mask & truth.eyelid_mask
    assert lid.sum() > 2000  # the capture really is occluded
    assert (kept & truth.occlusion_mask).sum() < 0.03 * kept.sum()  # what we keep is iris
    assert seg.noise_mask[lid].mean() > 0.9  # and the lids are masked
    assert (kept & truth.visible_iris).sum() > 0.8 * truth.visible_iris.sum()  # without losing the rest
    for x, y in truth.specular_spots:
        assert seg.noise_mask[round(y), round(x)]


def _iris_error(seg, truth) -> tuple[float, float]:
    centre = float(np.hypot(seg.iris.x - truth.iris.x, seg.iris.y - truth.iris.y))
    return centre, abs(seg.iris.r - truth.iris.r)


def test_limbus_found_around_a_decentred_constricted_pupil() -> None:
    # The limbus search range must scale with the iris, not the pupil: a small pupil 0.1 iris
    # radii off centre (anatomy plus a little gaze) was outside it, and the circle came out ~10 px
    # small and off centre, which no rotation of the code can repair.
    identity = dataclasses.replace(EyeIdentity.from_seed(49, "L"), pupil_offset=(0.1, 0.02))
    for ratio in (0.25, 0.3):
        conditions = CaptureConditions(seed=2, pupil_ratio=ratio, iris_radius_px=115.0, lashes=0.3)
        image, truth = render_eye_with_truth(identity, conditions)
        seg = segment(as_gray(image))
        centre, radius = _iris_error(seg, truth)
        assert centre < 2.0 and radius < 2.0, (ratio, centre, radius)


# Two captures of the iris benchmark (seed 2026) where a lower lid, with its lashes and some
# defocus, crosses the low end of a lateral sector: its margin is a stronger edge than the
# limbus there and pulled the circle's centre 6-8 px down, into the worst genuine comparisons.
LOWER_LID_CAPTURES = {
    (31, "R"): dict(
        pupil_ratio=0.393,
        rotation_deg=2.08,
        gaze=(0.047, -0.003),
        center=(298.89, 298.94),
        iris_radius_px=95.3,
        upper_lid=1.19,
        lower_lid=0.808,
        lashes=0.442,
        illumination=1.129,
        leds=((-0.178, 0.031), (0.182, 0.031)),
        defocus=1.106,
        noise=0.0158,
        exposure=1.064,
        seed=230469284,
    ),
    (24, "R"): dict(
        pupil_ratio=0.526,
        rotation_deg=-7.1,
        gaze=(0.031, 0.07),
        center=(409.88, 240.03),
        iris_radius_px=94.59,
        upper_lid=0.823,
        lower_lid=0.893,
        lashes=0.445,
        illumination=1.03,
        leds=((-0.163, 0.11), (0.197, 0.11)),
        defocus=0.03,
        noise=0.0165,
        exposure=1.123,
        seed=1736666481,
    ),
}


@pytest.mark.parametrize("eye", sorted(LOWER_LID_CAPTURES))
def test_a_lower_lid_across_the_lateral_sectors_does_not_pull_the_limbus(eye) -> None:
    identity = EyeIdentity.from_seed(*eye)
    image, truth = render_eye_with_truth(identity, CaptureConditions(**LOWER_LID_CAPTURES[eye]))
    seg = segment(as_gray(image))
    centre, radius = _iris_error(seg, truth)
    assert centre < 2.0 and radius < 2.0, (centre, radius)
    # The same capture with the lid lowered out of the way: the lid was what moved the circle.
    open_eye = CaptureConditions(**LOWER_LID_CAPTURES[eye]).replace(lower_lid=1.3)
    clear, truth = render_eye_with_truth(identity, open_eye)
    assert _iris_error(segment(as_gray(clear)), truth)[0] < 2.5


def test_bright_iris_texture_is_not_masked_as_reflections() -> None:
    # A light iris in a well-exposed capture has fibres 50+ grey levels above their surroundings:
    # the top-hat fires on them, and masking them all cost ~45% of the clear iris here. The
    # reflections of the illuminator, in the pupil or off centre on the iris, must stay masked.
    identity = EyeIdentity.from_seed(93, "R")  # a light iris (NIR reflectance ~0.58)
    for leds in (((-0.18, 0.05), (0.18, 0.05)), ((-0.55, 0.1), (0.6, -0.2))):
        conditions = CaptureConditions(seed=3, exposure=1.2, leds=leds, lashes=0.2, upper_lid=1.1)
        image, truth = render_eye_with_truth(identity, conditions)
        seg = segment(as_gray(image))
        assert seg.noise_mask[truth.visible_iris].mean() < 0.15, leds
        for x, y in truth.specular_spots:
            assert seg.noise_mask[round(y), round(x)], (leds, x, y)
        on_iris = truth.iris_mask & truth.specular_mask
        assert not on_iris.any() or seg.noise_mask[on_iris].mean() > 0.95
    assert on_iris.sum() > 50  # the second layout really puts both reflections on the iris


def test_no_limbus_around_a_pupil_is_refused_with_a_reason() -> None:
    flat = np.full((240, 320), 120.0, dtype=np.float32)
    cv2.circle(flat, (160, 120), 30, 10.0, -1)  # a pupil on a featureless surface: no iris edge
    with pytest.raises(QualityError, match="iris boundary not found"):
        find_limbus(flat, Circle(160.0, 120.0, 30.0), LimbusParams())
