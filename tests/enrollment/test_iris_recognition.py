"""End-to-end behaviour of encode() and match() on synthetic captures."""

import cv2
import numpy as np
import pytest

from enrollment.iris import IrisTemplate, encode, match
from enrollment.iris.match import degrees_to_shift

from .iris_fixtures import clean_capture, small_set

GENUINE_MAX = 0.36  # synthetic genuine scores stay below this (benchmark: impostors >= ~0.39)
IMPOSTOR_MIN = 0.38


@pytest.fixture(scope="module")
def templates() -> list[tuple[tuple[int, str], IrisTemplate]]:
    return [(label, encode(image)) for label, image in small_set()]


def test_same_eye_matches_and_different_eyes_do_not(templates) -> None:
    genuine, impostor = [], []
    for i, (label_a, a) in enumerate(templates):
        for label_b, b in templates[i + 1 :]:
            (genuine if label_a == label_b else impostor).append(match(a, b).distance)
    assert len(genuine) == 24 and len(impostor) == 252
    assert max(genuine) < GENUINE_MAX, sorted(genuine)[-3:]
    assert min(impostor) > IMPOSTOR_MIN, sorted(impostor)[:3]
    assert 0.44 < float(np.mean(impostor)) < 0.5  # independent codes disagree on about half the bits


def test_left_and_right_eye_of_one_person_differ(templates) -> None:
    left = [t for (s, e), t in templates if s == 0 and e == "L"]
    right = [t for (s, e), t in templates if s == 0 and e == "R"]
    assert all(match(a, b).distance > IMPOSTOR_MIN for a in left for b in right)


@pytest.mark.parametrize("angle", [10.0, -8.0, 4.0])
def test_rotation_shifts_the_best_match_by_the_angle(angle: float) -> None:
    base, _ = clean_capture(lashes=0.0)
    turned, _ = clean_capture(lashes=0.0, rotation_deg=angle)
    result = match(encode(base), encode(turned))
    # Counter-clockwise on screen = towards smaller angles in image coordinates (y down).
    expected = degrees_to_shift(-angle)
    assert abs(result.shift - expected) <= 1, (result.shift, expected)
    assert result.distance < 0.25


def test_a_template_matches_itself_exactly_and_serializes(templates) -> None:
    _, t = templates[0]
    assert match(t, t).distance < 0.0 + 1e-12 or match(t, t).raw_distance == 0.0
    assert match(t, t).shift == 0
    assert IrisTemplate.from_bytes(t.to_bytes()) == t
    assert 4000 < t.usable_bits < 16384


def test_smaller_and_color_images_give_matching_templates() -> None:
    image, _ = clean_capture(subject=9, iris_radius_px=110.0)
    small = cv2.resize(image, (320, 240), interpolation=cv2.INTER_AREA)  # iris radius ~55 px
    color = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    full = encode(image)
    assert encode(color) == full
    assert match(full, encode(small)).distance < 0.3
