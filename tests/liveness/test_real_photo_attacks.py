"""Attacks made from real photographs (read at run time from ../shared/iris-dev; never stored): the
photograph is placed life-size in the station's frame, prints follow the station's light and screens do
not, the render-based generators are unchanged by the refactor, and liveness refuses what it is shown.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from enrollment.iris.segment import segment
from liveness import assess
from liveness.errors import LivenessError
from simulation.attacks import HELDOUT_RANGES
from simulation.attacks.print_attack import print_attack, print_of_photo
from simulation.attacks.recapture import victim_photo
from simulation.attacks.screen_attack import screen_attack, screen_of_photo
from simulation.real_photo_attacks import (
    STATION_IRIS_RADIUS_PX,
    real_photo_presentation,
    station_view_of_still,
)

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"
STILLS = ("003/L/01_L", "040/R/06_R", "097/L/02_L")


def _still(name: str) -> tuple[np.ndarray, tuple[float, float], float]:
    gray = cv2.imread(str(DEV / f"{name}.png"), cv2.IMREAD_GRAYSCALE)
    assert gray is not None, name
    iris = segment(gray).iris
    return gray, (iris.x, iris.y), iris.r


def test_the_render_based_attacks_are_unchanged_by_sharing_their_physics():
    from hardware.illumination import IlluminationSchedule

    for attack, of_photo in ((print_attack, print_of_photo), (screen_attack, screen_of_photo)):
        schedule = IlluminationSchedule.random_step(np.random.default_rng(5), n_frames=6)
        whole = attack(schedule, np.random.default_rng(11), HELDOUT_RANGES)
        rng = np.random.default_rng(11)
        _, _, photo = victim_photo(rng, HELDOUT_RANGES.subjects)
        np.testing.assert_array_equal(whole, of_photo(photo, schedule, rng, HELDOUT_RANGES))


def test_a_synthetic_still_is_placed_with_its_iris_at_the_station_scale():
    still = np.full((240, 320), 150, np.uint8)
    cv2.circle(still, (170, 110), 60, 70, -1)  # the "iris"
    cv2.circle(still, (170, 110), 25, 20, -1)  # the "pupil"
    view = station_view_of_still(still, (170.0, 110.0), 60.0, np.random.default_rng(3))
    assert view.shape == (480, 640) and view.dtype == np.float32
    assert view.min() >= 0.0 and view.max() <= 1.0
    dark = (view < 40 / 255).astype(np.uint8)  # the pupil disc, scaled
    _, _, stats, centroids = cv2.connectedComponentsWithStats(dark)
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    radius = np.sqrt(stats[biggest, cv2.CC_STAT_AREA] / np.pi)
    scale = radius / 25.0
    low, high = STATION_IRIS_RADIUS_PX
    assert low / 60.0 * 0.97 <= scale <= high / 60.0 * 1.03
    cx, cy = centroids[biggest]
    assert abs(cx - 320) < 0.6 * 320 and abs(cy - 240) < 0.6 * 240


@pytest.mark.parametrize(
    ("shape", "center", "radius"),
    [
        ((240, 320, 3), (100.0, 100.0), 50.0),
        ((240, 320), (100.0, 100.0), 0.0),
        ((240, 320), (-5.0, 9.0), 50.0),
    ],
)
def test_a_malformed_photograph_or_circle_is_refused(shape, center, radius):
    with pytest.raises(LivenessError):
        station_view_of_still(np.zeros(shape, np.uint8), center, radius, np.random.default_rng(0))


def test_a_print_follows_the_light_step_and_a_screen_does_not():
    still, center, radius = _still(STILLS[0])
    ratios = {}
    for species in ("print", "screen"):
        p = real_photo_presentation(still, center, radius, species, seed=1)
        assert p.frames.shape == (20, 480, 640) and p.frames.dtype == np.uint8
        levels = np.asarray(p.schedule.levels)
        means = p.frames.reshape(20, -1).mean(axis=1)
        low, high = means[levels == levels.min()].mean(), means[levels == levels.max()].mean()
        ratios[species] = (high / low) / (levels.max() / levels.min())
    assert ratios["print"] > 0.8  # reflective paper: brightness scales with the illuminator
    assert ratios["screen"] < ratios["print"]  # a display emits its own light; only its glass reflects


def test_the_same_seed_gives_the_same_presentation_and_another_seed_another():
    still, center, radius = _still(STILLS[1])
    a = real_photo_presentation(still, center, radius, "print", seed=4)
    b = real_photo_presentation(still, center, radius, "print", seed=4)
    c = real_photo_presentation(still, center, radius, "print", seed=5)
    np.testing.assert_array_equal(a.frames, b.frames)
    assert not np.array_equal(a.frames, c.frames)


@pytest.mark.parametrize("name", STILLS)
def test_liveness_refuses_prints_and_screens_of_real_photographs(name):
    still, center, radius = _still(name)
    for species in ("print", "screen"):
        p = real_photo_presentation(still, center, radius, species, seed=STILLS.index(name))
        assert not assess(p.frames, p.schedule).is_live, (name, species)
