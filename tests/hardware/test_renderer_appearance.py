"""The renderer's looks: LEGACY unchanged (the shipped models were trained on it), FITTED closer to real eyes.

The real-eye comparison reads the development set at run time from ../shared/iris-dev (it exists
in CI), as tests/enrollment/test_iris_real_eyes.py does; nothing derived from it is stored.
"""

import hashlib
from pathlib import Path

import numpy as np
import pytest

from simulation.eye_statistics import measure_image, summarize
from simulation.synthetic_eye import (
    FITTED,
    LEGACY,
    Appearance,
    CaptureConditions,
    EyeIdentity,
    render_eye,
    render_eye_with_truth,
)

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"

# SHA-256 of (image bytes + occlusion-mask bytes) rendered by main's renderer (commit a3fe2ea, before
# appearances existed) for EyeIdentity.from_seed(10 + k, "LR"[k % 2]) and CaptureConditions.random
# drawn in turn from default_rng(2024): liveness models, the station camera and the demo see exactly these.
MAIN_RENDERS = (
    "698c35d1e66c46b91a43bc277e814e825032d249674f019753c6c9cd3b98ff4a",
    "886a4d564dcdb67c4d0378b5a9190bbdcc4bf650ffbd443b393c05d8bfdf2208",
    "055201c5dd3b7c4f45b62382e62c89b86b8f75b6bf752d3306bbe4baffc6eee9",
    "6e68984f65d09c5961534469eaaccebbe2a6b16403cf2a5583d500764a8ead33",
)


def test_legacy_renders_are_bit_identical_to_mains_renderer() -> None:
    rng = np.random.default_rng(2024)
    for k, expected in enumerate(MAIN_RENDERS):
        eye, conditions = EyeIdentity.from_seed(10 + k, "LR"[k % 2]), CaptureConditions.random(rng)
        image, truth = render_eye_with_truth(eye, conditions)
        digest = hashlib.sha256(image.tobytes() + truth.occlusion_mask.tobytes()).hexdigest()
        assert digest == expected, k
        if k == 0:  # the ground truth's circles too, to the last bit
            assert (truth.iris.x, truth.iris.y, truth.iris.r) == (
                270.86125594836227,
                216.68047569014607,
                110.21264536733021,
            )
        assert np.array_equal(image, render_eye(eye, conditions, appearance=LEGACY))


def test_legacy_draws_the_legacy_capture_spread() -> None:
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    assert LEGACY.conditions(a, lashes=0.2) == CaptureConditions.random(b, lashes=0.2)


def test_fitted_renders_a_320x240_camera_with_consistent_ground_truth() -> None:
    eye = EyeIdentity.from_seed(4, "R")
    conditions = FITTED.conditions(np.random.default_rng(3), upper_lid=1.0, leds=((0.02, 0.03),))
    image, truth = render_eye_with_truth(eye, conditions, appearance=FITTED)
    assert image.shape == (240, 320) and image.dtype == np.uint8
    assert np.array_equal(image, render_eye(eye, conditions, appearance=FITTED))
    assert truth.iris_mask.shape == image.shape
    assert 95 <= truth.iris.r <= 115  # the 190-230 px scene radius, halved
    yy, xx = np.mgrid[0:240, 0:320]
    pupil = np.hypot(xx - truth.pupil.x, yy - truth.pupil.y) < 0.8 * truth.pupil.r
    pupil &= ~truth.specular_mask
    assert image[pupil].mean() + 60 < image[truth.visible_iris].mean()
    # The one LED's reflection lands where the truth says, in output pixels, saturated.
    ((x, y),) = truth.specular_spots
    assert np.hypot(x - truth.pupil.x, y - truth.pupil.y) == pytest.approx(0.036 * truth.iris.r, rel=0.2)
    assert image[round(y), round(x)] >= 250
    # Legacy spreads draw two LEDs; the fitted one draws one, a second in 70% of captures.
    rng = np.random.default_rng(8)
    counts = [len(FITTED.conditions(rng).leds) for _ in range(200)]
    assert set(counts) == {1, 2} and 115 < counts.count(2) < 165  # 140 +- 3.9 sd


@pytest.mark.parametrize(
    "bad",
    [
        {"output_scale": 0.1},
        {"lid_power": 0.5},
        {"limbus_edge_px": 0.0},
        {"lash_darkness": 1.5},
        {"iris_gain": float("nan")},
    ],
)
def test_an_invalid_appearance_is_refused(bad) -> None:
    with pytest.raises(ValueError):
        Appearance(**bad)


def _distance(real, look) -> float:
    median, q25, q75 = real
    return abs(look[0] - median) / max(q75 - q25, 0.05 * abs(median), 1.0 if median > 2 else 0.01)


@pytest.mark.slow
def test_fitted_renders_are_closer_to_real_eyes_than_legacy_ones() -> None:
    import cv2

    paths = sorted(DEV.glob("*/*/*.png"))[::37]  # left and right eyes alike
    if not paths:
        pytest.fail(
            f"real iris images missing under {DEV} (clone the repository with shared/iris-dev beside it)"
        )
    real = summarize([measure_image(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE)) for p in paths])
    looks = {}
    for name, look in (("legacy", LEGACY), ("fitted", FITTED)):
        rng = np.random.default_rng(11)
        images = [
            render_eye(EyeIdentity.from_seed(k, "L"), look.conditions(rng), appearance=look)
            for k in range(10)
        ]
        looks[name] = summarize([measure_image(im) for im in images])
    far = {name: {s: _distance(real[s], looks[name][s]) for s in real} for name in looks}
    mean = {name: float(np.nanmean(list(v.values()))) for name, v in far.items()}
    assert mean["fitted"] < 0.5 * mean["legacy"], mean
    for statistic in (
        "iris_radius_frame",
        "sclera_grey",
        "limbus_contrast",
        "limbus_edge_width",
        "specular_size",
    ):
        assert far["fitted"][statistic] < far["legacy"][statistic], statistic


def test_bio_synth_writes_the_fitted_look_unless_asked_for_legacy(tmp_path) -> None:
    import cv2

    from personhood.cli import main

    for look, shape in ((None, (240, 320)), ("legacy", (480, 640))):
        out = tmp_path / (look or "default")
        extra = ["--look", look] if look else []
        assert main(["--quiet", "bio", "synth", str(out), "--subjects", "1", "--captures", "1", *extra]) == 0
        images = sorted(out.glob("*/*/*.png"))
        assert len(images) == 2
        assert all(cv2.imread(str(p), cv2.IMREAD_GRAYSCALE).shape == shape for p in images)
