"""Bona fide presentations animated from real stills (read at run time from ../shared/iris-dev; never
stored): the pupil constricts after the light step by the drawn amount as the project's own edge tracker
measures it, the iris moves as a rubber sheet, the still's reflections give way to the station's LEDs,
brightness follows the illuminator, the same seed gives the same frames, and bad input is refused.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from enrollment.iris.segment import segment
from liveness.errors import LivenessError
from liveness.pupil_edge import edge_radii
from liveness.pupil_finder import track_pupil
from liveness.specular import saturated_spots
from simulation.real_photo_bona_fide import real_still_bona_fide, rubber_sheet_maps

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"
STILLS = ("003/L/01_L", "040/R/06_R", "097/L/02_L", "004/L/01_L", "074/L/01_L", "070/R/06_R")
# The last three: frames whose dark borders (the photograph's edge rows of lashes, replicated) or lashes
# joining the pupil to them hid the pupil from the finder until it looked at every dark disc.


def _still(name: str):
    gray = cv2.imread(str(DEV / f"{name}.png"), cv2.IMREAD_GRAYSCALE)
    assert gray is not None, name
    seg = segment(gray)
    return gray, (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)


@pytest.mark.parametrize("name", STILLS)
def test_the_pupil_constricts_after_the_step_by_the_drawn_amount(name):
    gray, pupil, iris = _still(name)
    still = real_still_bona_fide(gray, pupil, iris, seed=STILLS.index(name))
    p = still.presentation
    measured = np.array([o.radius for o in edge_radii(p.frames, track_pupil(p.frames))])
    drawn = still.pupil_radius_px
    assert np.all(np.isfinite(measured)), name
    step = int(np.argmax(np.diff(p.schedule.levels) > 0)) + 1  # first frame at the bright level
    before = slice(0, step)
    # Nothing moves before the step (hippus only), and the drawn constriction is real (> 3 px).
    assert np.ptp(drawn[before]) < 0.5 and drawn[:step].mean() - drawn[-3:].mean() > 3.0
    assert np.ptp(measured[before]) < 1.0
    drop_measured = measured[before].mean() - measured[-3:].mean()
    drop_drawn = drawn[before].mean() - drawn[-3:].mean()
    assert abs(drop_measured - drop_drawn) < 1.0, (drop_measured, drop_drawn)
    # The time course: half the drop is reached after the reflex's latency, not before.
    half = drawn[before].mean() - 0.5 * drop_drawn
    t_half_drawn = np.argmax(drawn < half)
    t_half_measured = np.argmax(measured < measured[before].mean() - 0.5 * drop_measured)
    assert abs(int(t_half_measured) - int(t_half_drawn)) <= 1


def test_the_iris_stretches_as_a_rubber_sheet_between_pupil_and_limbus():
    pupil, iris = (100.0, 100.0, 30.0), (102.0, 99.0, 80.0)
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    new_r = 22.0

    def ray(r):
        return 100.0 + r * np.cos(angles), 100.0 + r * np.sin(angles)

    # The new pupil edge comes from the still's pupil edge; points beyond the limbus do not move.
    sx, sy = rubber_sheet_maps(*ray(new_r), pupil, iris, new_r)
    np.testing.assert_allclose(np.hypot(sx - 100, sy - 100), 30.0, atol=1e-3)
    fx, fy = ray(95.0)
    sx, sy = rubber_sheet_maps(fx, fy, pupil, iris, new_r)
    np.testing.assert_allclose(sx, fx, atol=1e-3) and np.testing.assert_allclose(sy, fy, atol=1e-3)
    # Half way between the new edge and the limbus comes from half way between the old edge and it.
    qx, qy = np.meshgrid(np.linspace(40, 160, 61), np.linspace(40, 160, 61))
    sx, sy = rubber_sheet_maps(qx.astype(np.float32), qy.astype(np.float32), pupil, iris, new_r)
    rho, src = np.hypot(qx - 100, qy - 100), np.hypot(sx - 100, sy - 100)
    iris_band = (rho > new_r + 5) & (rho < 60)
    assert np.all(src[iris_band] > rho[iris_band])  # the texture moved outward...
    assert np.all(src[iris_band] - rho[iris_band] < 30.0 - new_r + 1e-3)  # ...by less than the edge


def test_the_stills_reflections_give_way_to_the_stations_leds_and_light_is_followed():
    gray, pupil, iris = _still(STILLS[0])
    p = real_still_bona_fide(gray, pupil, iris, seed=7).presentation
    observations = track_pupil(p.frames)
    counts = [len(saturated_spots(f, o)) for f, o in zip(p.frames, observations, strict=True)]
    assert counts == [len(p.schedule.leds)] * len(counts)
    levels = np.asarray(p.schedule.levels)
    means = p.frames.reshape(len(levels), -1).mean(axis=1)
    ratio = (means[levels == levels.max()].mean() / means[levels == levels.min()].mean()) / (
        levels.max() / levels.min()
    )
    assert 0.85 < ratio < 1.1  # a reflective eye: the scene scales with the illuminator


def test_the_same_seed_gives_the_same_frames_and_another_seed_others():
    gray, pupil, iris = _still(STILLS[1])
    a = real_still_bona_fide(gray, pupil, iris, seed=4).presentation
    b = real_still_bona_fide(gray, pupil, iris, seed=4).presentation
    c = real_still_bona_fide(gray, pupil, iris, seed=5).presentation
    np.testing.assert_array_equal(a.frames, b.frames)
    assert a.schedule == b.schedule
    assert not np.array_equal(a.frames, c.frames)
    assert a.frames.shape == (20, 480, 640) and a.frames.dtype == np.uint8 and a.is_bona_fide


@pytest.mark.parametrize(
    ("still", "pupil", "iris"),
    [
        (np.zeros((240, 320, 3), np.uint8), (160.0, 120.0, 40.0), (160.0, 120.0, 100.0)),  # colour
        (np.zeros((240, 320), np.float32), (160.0, 120.0, 40.0), (160.0, 120.0, 100.0)),  # not uint8
        (np.zeros((240, 320), np.uint8), (160.0, 120.0, 90.0), (160.0, 120.0, 100.0)),  # ratio 0.9
        (np.zeros((240, 320), np.uint8), (240.0, 120.0, 30.0), (160.0, 120.0, 100.0)),  # pupil out
        (np.zeros((240, 320), np.uint8), (160.0, 120.0, float("nan")), (160.0, 120.0, 100.0)),
        (np.zeros((240, 320), np.uint8), (160.0, 120.0, 40.0), (400.0, 120.0, 100.0)),  # iris out
    ],
)
def test_bad_input_is_refused_clearly(still, pupil, iris):
    with pytest.raises(LivenessError):
        real_still_bona_fide(still, pupil, iris, seed=0)
