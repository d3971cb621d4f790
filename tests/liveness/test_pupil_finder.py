"""The pupil finder against the renderer's ground truth."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from liveness.pupil_finder import MAX_RADIUS_PX, MIN_RADIUS_PX, estimate_iris_radius, find_pupil, track_pupil
from simulation.pad_dataset import presentation
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


def test_noise_and_stripes_give_an_answer_not_an_error():
    rng = np.random.default_rng(5)
    frames = [rng.integers(0, 256, (480, 640), dtype=np.uint8) for _ in range(3)]
    striped = np.full((480, 640), 180, np.uint8)
    striped[200:260] = 20  # a straight dark band (a lid's shadow): collinear edge points
    for frame in [*frames, striped]:
        p = find_pupil(frame)
        assert not p.found or MIN_RADIUS_PX <= p.radius <= MAX_RADIUS_PX


def test_a_blank_frame_has_no_pupil():
    assert not find_pupil(np.full((480, 640), 128, np.uint8)).found
    assert not find_pupil(np.zeros((480, 640), np.uint8)).found


@pytest.mark.parametrize("seed", range(6))
def test_a_pupil_painted_one_grey_beside_darker_lashes_is_found(seed):
    # Some capture software paints the pupil one grey to hide the illuminator's reflections; here
    # lighter than a tuft of lashes that touches it from above, which the darkest blob would take.
    rng = np.random.default_rng(100 + seed)
    conditions = CaptureConditions.random(rng, upper_lid=1.1, lower_lid=1.2)
    image, truth = render_eye_with_truth(EyeIdentity.from_seed(seed, "L"), conditions)
    px, py, pr = truth.pupil.x, truth.pupil.y, truth.pupil.r
    yy, xx = np.mgrid[: image.shape[0], : image.shape[1]]
    distance = np.hypot(xx - px, yy - py)
    iris = np.median(image[(distance > pr + 3) & (distance < pr + 10)])
    image[distance <= pr] = int(0.6 * iris)
    for k in range(-3, 4):
        top, bottom = (int(px + 12 * k), int(py - pr - 25)), (int(px + 8 * k), int(py - pr + 2))
        cv2.line(image, top, bottom, 5, 3)
    p = find_pupil(image)
    assert p.found
    assert abs(p.x - px) < 1.5 and abs(p.y - py) < 1.5
    # The paint stops at the true radius and the rendered edge's blur lies outside it.
    assert 0.0 <= p.radius - pr < 2.0


def test_tracking_from_frame_to_frame_finds_what_a_fresh_search_finds():
    p = presentation("train", "bona_fide", 10000)
    tracked, fresh = track_pupil(p.frames), [find_pupil(f) for f in p.frames]
    assert all(o.found for o in tracked)
    for a, b in zip(tracked, fresh, strict=True):
        assert b.found and max(abs(a.x - b.x), abs(a.y - b.y), abs(a.radius - b.radius)) < 1.5


@pytest.mark.parametrize("seed", range(4))
def test_a_wide_dark_region_elsewhere_does_not_hide_the_pupil(seed):
    # Hair, a brow or a dark frame border: a region darker and wider than the pupil, whose ridge of
    # inscribed circles would take every candidate place if only the widest discs were kept.
    rng = np.random.default_rng(200 + seed)
    conditions = CaptureConditions.random(rng, upper_lid=1.1, lower_lid=1.2)
    image, truth = render_eye_with_truth(EyeIdentity.from_seed(seed, "R"), conditions)
    image[:70] = 0
    image[:, :90] = 0
    image[:, -90:] = 2
    p = find_pupil(image)
    assert p.found
    assert abs(p.x - truth.pupil.x) < 1.5 and abs(p.y - truth.pupil.y) < 1.5
    assert abs(p.radius - truth.pupil.r) < 2.0
