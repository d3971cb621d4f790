"""bench/pupil_track_tails.py's yardstick: a track holds when every frame's pupil is near the drawn centre
with about the drawn radius. On real presentations of the held-out split: a mid-range live eye's track
holds, and so, since stop 44's finder, does fresh seed 6901's dark iris with a small pupil, whose pupil
the finder before took the iris boundary for (stop 43's reflex-veto refusals); observations like that
finder's lose the track; and the capture groups are `liveness.training.tails`'.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from pupil_track_tails import groups_of, summary, track_holds

from liveness.pupil_finder import PupilObservation, track_pupil
from liveness.training.tails import DARK_IRIS, LARGE_PUPIL, SMALL_PUPIL
from simulation.pad_dataset import BONA_FIDE, capture_draws, presentation


def _holds(index: int) -> bool:
    _, conditions = capture_draws("heldout", BONA_FIDE, index)
    obs = track_pupil(presentation("heldout", BONA_FIDE, index).frames)
    iris = conditions.iris_radius_px
    return track_holds(obs, conditions.center, iris, conditions.pupil_ratio * iris)


@pytest.mark.slow
def test_a_mid_range_eye_holds_and_so_does_a_dark_small_pupil_once_taken_for_the_iris():
    eye, conditions = capture_draws("heldout", BONA_FIDE, 690_100_000)
    assert groups_of(eye.iris_brightness, conditions.pupil_ratio) == ("middle",)
    assert _holds(690_100_000)
    eye, conditions = capture_draws("heldout", BONA_FIDE, 690_100_074)
    assert groups_of(eye.iris_brightness, conditions.pupil_ratio) == ("dark_iris", "small_pupil")
    assert _holds(690_100_074)  # bea137a's finder returned the 80 px iris boundary on every frame


def test_a_frame_without_a_pupil_far_off_centre_or_of_the_wrong_size_loses_the_track():
    good = PupilObservation(found=True, x=100.0, y=100.0, radius=30.0)
    assert track_holds((good, good), (102.0, 99.0), 100.0, 31.0)
    lost = PupilObservation(found=False, x=0.0, y=0.0, radius=0.0)
    far = PupilObservation(found=True, x=125.0, y=100.0, radius=30.0)  # 0.25 iris radii off
    iris_edge = PupilObservation(found=True, x=100.0, y=100.0, radius=100.0)
    blob = PupilObservation(found=True, x=100.0, y=100.0, radius=12.0)
    for bad in (lost, far, iris_edge, blob):
        assert not track_holds((good, bad), (100.0, 100.0), 100.0, 30.0)


def test_the_groups_and_the_summary():
    assert groups_of(DARK_IRIS - 0.01, 0.4) == ("dark_iris",)
    assert groups_of(0.5, SMALL_PUPIL) == ("small_pupil",)
    assert groups_of(0.5, LARGE_PUPIL) == ("large_pupil",)
    assert groups_of(DARK_IRIS, 0.4) == ("middle",)
    rows = [
        {"groups": ("middle",), "holds": True, "reflex_vetoed": False},
        {"groups": ("middle",), "holds": False, "reflex_vetoed": False},
        {"groups": ("dark_iris", "small_pupil"), "holds": False, "reflex_vetoed": True},
        {"groups": ("dark_iris",), "holds": True, "reflex_vetoed": False},
    ]
    s = summary(rows)
    assert s["middle"]["live_eyes"] == 2 and s["middle"]["lost_share"] == 0.5
    assert s["dark_iris"]["tracks_lost"] == 1 and s["dark_iris"]["vetoed_with_track_lost"] == 1
    assert s["dark_iris"]["lost_share_vs_middle"] == 1.0 and s["small_pupil"]["lost_share_vs_middle"] == 2.0
    assert s["large_pupil"]["live_eyes"] == 0
