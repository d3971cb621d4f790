"""Garbage and poor captures give a QualityError with reasons, never a template."""

import cv2
import numpy as np
import pytest

from enrollment.iris import PipelineParams, QualityError, analyze, encode
from enrollment.iris.quality import QualityThresholds

from .iris_fixtures import clean_capture


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (np.zeros((480, 640), np.uint8), "blank"),
        (np.full((480, 640), 128, np.uint8), "blank"),
        (np.zeros((480, 640), np.float32), "pixel type"),
        (np.zeros((480, 640), np.uint16), "pixel type"),
        (np.zeros((50, 60), np.uint8), "size"),
        (np.zeros((480, 640, 2), np.uint8), "shape"),
        ("not an image", "not an image"),
    ],
)
def test_garbage_input_is_refused(image, reason: str, tmp_path) -> None:
    if isinstance(image, str):
        image = [1, 2, 3]
    with pytest.raises(QualityError) as info:
        encode(image)
    assert reason in str(info.value) and info.value.reasons


def test_noise_without_an_eye_is_refused() -> None:
    rng = np.random.default_rng(0)
    texture = cv2.GaussianBlur(rng.uniform(80, 200, (480, 640)).astype(np.float32), (0, 0), 3)
    with pytest.raises(QualityError):
        encode(texture.astype(np.uint8))


def test_truncated_and_unreadable_files_are_refused(tmp_path) -> None:
    image, _ = clean_capture()
    good = tmp_path / "eye.png"
    cv2.imwrite(str(good), image)
    assert encode(good).usable_bits > 0
    data = good.read_bytes()
    for name, content in (
        ("cut.png", data[: len(data) // 2]),
        ("cut.jpg", cv2.imencode(".jpg", image)[1].tobytes()[:5000]),
        ("junk.bmp", b"BM" + bytes(100)),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(QualityError, match="not a readable image"):
            encode(path)
    with pytest.raises(QualityError, match="cannot read"):
        encode(tmp_path / "missing.png")


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({"defocus": 6.0}, ("sharpness",)),
        (
            {"upper_lid": 0.25, "lower_lid": 0.35},
            ("usable iris area", "no pupil found"),
        ),  # a nearly closed eye
        ({"pupil_ratio": 0.78}, ("pupil too dilated",)),
    ],
)
def test_poor_captures_are_refused_with_the_reason(changes: dict, reasons: tuple[str, ...]) -> None:
    image, _ = clean_capture(**changes)
    with pytest.raises(QualityError) as info:
        encode(image)
    assert any(reason in r for r in info.value.reasons for reason in reasons), info.value.reasons


def test_thresholds_are_configurable() -> None:
    image, _ = clean_capture(iris_radius_px=100.0)
    strict = PipelineParams(quality=QualityThresholds(min_iris_radius_px=120.0))
    with pytest.raises(QualityError, match="move closer"):
        encode(image, strict)
    assert encode(image).usable_bits > 0


def test_quality_report_of_a_good_capture() -> None:
    image, truth = clean_capture()
    report = analyze(image).quality
    assert report.accepted
    assert abs(report.pupil_ratio - truth.pupil.r / truth.iris.r) < 0.03
    assert abs(report.iris_radius_px - truth.iris.r) < 2
    assert report.usable_area > 0.7 and report.gaze < 0.1
    with pytest.raises(ValueError):
        QualityThresholds(min_pupil_ratio=0.8, max_pupil_ratio=0.5)


def test_an_image_segmented_and_graded_once_encodes_as_encode_does() -> None:
    """The station segments and grades a frame once, then encodes from that (issue 24): same template."""
    from enrollment.iris import encode_graded
    from enrollment.iris.image_input import as_gray
    from enrollment.iris.quality import assess
    from enrollment.iris.segment import segment

    params = PipelineParams()
    image, _ = clean_capture()
    gray = as_gray(image)
    seg = segment(gray, params.segmentation)
    report = assess(gray, seg, params.quality)
    once = encode_graded(gray, seg, report, params).template
    again = encode(image, params)
    assert np.array_equal(once.code, again.code) and np.array_equal(once.mask, again.mask)
    refused = assess(gray, seg, QualityThresholds(min_usable_area=0.999))
    with pytest.raises(QualityError):
        encode_graded(gray, seg, refused, params)
