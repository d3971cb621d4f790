"""Segmentation and noise mask against the renderer's ground truth."""

import numpy as np

from enrollment.iris.image_input import as_gray
from enrollment.iris.segment import segment
from hardware.synthetic_eye import CaptureConditions, EyeIdentity, render_eye_with_truth

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
