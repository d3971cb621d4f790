import cv2
import numpy as np
import pytest

from simulation.synthetic_eye import (
    TEXTURE_SHAPE,
    CaptureConditions,
    CornealOverlay,
    EyeIdentity,
    iris_texture_polar,
    render_eye,
    render_eye_with_truth,
    write_dataset,
)


def test_same_seed_same_eye_and_left_right_differ() -> None:
    a, b = EyeIdentity.from_seed(5, "L"), EyeIdentity.from_seed(5, "L")
    assert a == b
    assert np.array_equal(iris_texture_polar(a), iris_texture_polar(b))
    right = iris_texture_polar(EyeIdentity.from_seed(5, "R"))
    left = iris_texture_polar(a)
    assert left.shape == TEXTURE_SHAPE and left.dtype == np.float32
    assert left.min() >= 0.0 and left.max() <= 1.0
    corr = np.corrcoef((left - left.mean()).ravel(), (right - right.mean()).ravel())[0, 1]
    assert abs(corr) < 0.3  # independent texture, shared pigmentation at most


def test_render_is_deterministic_8bit_640x480() -> None:
    eye = EyeIdentity.from_seed(1, "R")
    cond = CaptureConditions(seed=3)
    img = render_eye(eye, cond)
    assert img.shape == (480, 640) and img.dtype == np.uint8
    assert np.array_equal(img, render_eye(eye, cond))
    assert not np.array_equal(img, render_eye(eye, cond.replace(seed=4)))  # sensor noise per capture


def test_ground_truth_matches_the_pixels() -> None:
    eye = EyeIdentity.from_seed(2, "L")
    img, truth = render_eye_with_truth(eye, CaptureConditions(upper_lid=0.6, lashes=0.5))
    yy, xx = np.mgrid[0:480, 0:640]
    pupil = (xx - truth.pupil.x) ** 2 + (yy - truth.pupil.y) ** 2 < (0.8 * truth.pupil.r) ** 2
    pupil &= ~truth.specular_mask
    iris = truth.visible_iris
    assert img[pupil].mean() + 40 < img[iris].mean()
    assert truth.occlusion_mask.sum() > 0.05 * truth.iris_mask.sum()  # the low lid hides some iris
    for x, y in truth.specular_spots:
        assert img[round(y), round(x)] == 255
    assert truth.eyelid_mask[5, 320] and not truth.eyelid_mask[240, 320]


def test_rotation_turns_the_texture_counter_clockwise() -> None:
    eye = EyeIdentity.from_seed(3, "L")
    base = CaptureConditions(leds=(), lashes=0.0, upper_lid=1.5, lower_lid=1.5, noise=0.0)
    img0 = render_eye(eye, base).astype(np.float32)
    img1 = render_eye(eye, base.replace(rotation_deg=10.0)).astype(np.float32)
    # Rotating the unrotated render by +10 deg (OpenCV: positive = counter-clockwise) matches.
    m = cv2.getRotationMatrix2D((320.0, 240.0), 10.0, 1.0)
    turned = cv2.warpAffine(img0, m, (640, 480))
    ring = np.zeros((480, 640), bool)
    yy, xx = np.mgrid[0:480, 0:640]
    r = np.hypot(xx - 320, yy - 240)
    ring[(r > 55) & (r < 90)] = True
    assert np.abs(turned - img1)[ring].mean() < 0.5 * np.abs(img0 - img1)[ring].mean()


def test_texture_override_replaces_the_iris_only() -> None:
    eye = EyeIdentity.from_seed(4, "R")
    cond = CaptureConditions(noise=0.0)
    lens = np.tile((np.arange(256) // 8 % 2).astype(np.float32), (64, 1)) * 0.5 + 0.2
    img, truth = render_eye_with_truth(eye, cond, texture_polar=lens)
    own = render_eye(eye, cond)
    changed = img != own
    assert changed[truth.visible_iris].mean() > 0.5
    yy, xx = np.mgrid[0:480, 0:640]
    # Beyond the soft limbus and the blur nothing may change.
    far = np.hypot(xx - truth.iris.x, yy - truth.iris.y) > truth.iris.r + 10
    assert changed[far].mean() == 0.0


@pytest.mark.parametrize(
    "bad",
    [
        {"rotation_deg": 20.0},
        {"pupil_ratio": 0.95},
        {"gaze": (0.7, 0.0)},
        {"noise": -0.1},
        {"leds": ((5.0, 0.0),)},
        {"center": (700.0, 10.0)},
        {"seed": -1},
    ],
)
def test_conditions_are_validated(bad: dict) -> None:
    with pytest.raises(ValueError):
        CaptureConditions(**bad)


def test_random_conditions_vary_and_respect_overrides() -> None:
    rng = np.random.default_rng(0)
    draws = [CaptureConditions.random(rng, illumination=2.0) for _ in range(50)]
    assert all(d.illumination == 2.0 for d in draws)
    assert len({d.pupil_ratio for d in draws}) == 50
    assert max(abs(d.rotation_deg) for d in draws) <= 15.0


def test_write_dataset_layout(tmp_path) -> None:
    paths = write_dataset(tmp_path, subjects=1, captures_per_eye=2, seed=0)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in paths) == [
        "0000/L/0000_L_00.png",
        "0000/L/0000_L_01.png",
        "0000/R/0000_R_00.png",
        "0000/R/0000_R_01.png",
    ]
    assert cv2.imread(str(paths[0]), cv2.IMREAD_UNCHANGED).shape == (480, 640)


def _ring_overlay(opacity: float) -> CornealOverlay:
    """A solid printed ring from 0.55 to 0.85 iris radii."""
    yy, xx = np.mgrid[0:201, 0:201]
    rho = np.hypot(xx - 100, yy - 100) / 100
    coverage = ((rho > 0.55) & (rho < 0.85)).astype(np.float32)
    return CornealOverlay(coverage=coverage, outer_radius=1.0, reflectance=0.4, opacity=opacity)


def test_a_corneal_overlay_stays_put_when_the_pupil_moves() -> None:
    # A lens print rides on the cornea: constricting the pupil moves the iris texture under it,
    # not the print. Under an opaque print two pupil sizes render the same pixels.
    eye = EyeIdentity.from_seed(6, "L")
    wide = CaptureConditions(noise=0.0, pupil_ratio=0.45, defocus=0.0, motion_blur=0.0, lashes=0)
    narrow = wide.replace(pupil_ratio=0.3)
    a, truth = render_eye_with_truth(eye, wide, overlay=_ring_overlay(1.0))
    b = render_eye(eye, narrow, overlay=_ring_overlay(1.0))
    bare_a, bare_b = render_eye(eye, wide), render_eye(eye, narrow)
    yy, xx = np.mgrid[0:480, 0:640]
    r = np.hypot(xx - truth.iris.x, yy - truth.iris.y) / truth.iris.r
    band = (r > 0.6) & (r < 0.8) & truth.visible_iris
    assert band.sum() > 1000
    assert np.abs(bare_a.astype(int) - bare_b.astype(int))[band].mean() > 3  # the tissue moved
    assert np.abs(a.astype(int) - b.astype(int))[band].max() <= 1  # the print did not
    # Half-transparent ink: the tissue shows through, so the image still changes, but less.
    c = render_eye(eye, wide, overlay=_ring_overlay(0.5)).astype(int)
    d = render_eye(eye, narrow, overlay=_ring_overlay(0.5)).astype(int)
    assert 0 < np.abs(c - d)[band].mean() < np.abs(bare_a.astype(int) - bare_b.astype(int))[band].mean()
    outside = r > 1.15
    assert np.array_equal(a[outside], bare_a[outside])  # nothing beyond the lens changes


def test_a_corneal_overlay_is_validated() -> None:
    with pytest.raises(ValueError, match="square"):
        CornealOverlay(np.zeros((8, 9), np.float32), 1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="within"):
        CornealOverlay(np.full((8, 8), 1.5, np.float32), 1.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="outer_radius"):
        CornealOverlay(np.zeros((8, 8), np.float32), 3.0, 0.5, 0.5)
    with pytest.raises(ValueError, match="opacity"):
        CornealOverlay(np.zeros((8, 8), np.float32), 1.0, 0.5, 1.5)
