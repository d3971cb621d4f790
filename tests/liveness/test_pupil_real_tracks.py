"""bench/pupil_real_tracks.py's yardstick on live eyes animated from REAL stills (../shared/iris-dev, read at
run time, never copied): a track is lost when a frame has no pupil, or one off the animation's own centre
or radius; a lost track that holds one circle throughout is told apart (the segmentation's error, not a
jump). On a real still whose pupil stop 44's finder keeps, the bench's row says the track holds; the same
frames with one frame's pupil moved to a lash tuft say it is lost.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pupil_real_tracks as bench
from pupil_real_tracks import steady, summary, track_lost

from liveness import pupil_finder
from liveness.pupil_finder import PupilObservation, track_pupil

from .real_stills import animated_still

STILL, SEED = "028/L/03_L", 202  # bea137a's track sat on a 9 px tuft on every frame (stop 44)


def test_a_real_pupil_held_on_every_frame_holds_and_one_frame_on_a_tuft_loses_it():
    path, still = animated_still(STILL, SEED)
    observed = track_pupil(still.presentation.frames)
    assert not track_lost(observed, still.pupil_center_px, still.pupil_radius_px)
    tuft = replace(observed[7], x=observed[7].x + 40.0, radius=6.0)
    jumped = (*observed[:7], tuft, *observed[8:])
    assert track_lost(jumped, still.pupil_center_px, still.pupil_radius_px)
    assert not steady(jumped)
    # the bench's own row, today's finder standing in for both (the old one is read from git at run time)
    bench._finders.update(old=pupil_finder, new=pupil_finder)
    row = bench._one((SEED, str(path)))
    assert row["animated"] and row["new"] == row["old"]
    assert row["new"] == {"lost": False, "lost_steady": False, "reflex_vetoed": False}


def test_the_tolerances_scale_with_the_pupil_and_a_steady_wrong_circle_is_told_apart():
    at = PupilObservation(found=True, x=100.0, y=100.0, radius=30.0)
    centres, radii = [(100.0, 100.0)] * 2, [30.0, 30.0]
    assert not track_lost((at, at), centres, radii)
    assert not track_lost((at, replace(at, x=108.9)), centres, radii)  # within 0.3 r = 9 px
    assert track_lost((at, replace(at, x=109.1)), centres, radii)
    small = [10.0, 10.0]  # a small pupil keeps the 5 px floor
    assert not track_lost((replace(at, radius=10.0), replace(at, x=104.9, radius=10.0)), centres, small)
    assert not track_lost((at, replace(at, radius=37.9)), centres, radii)  # 0.2 r + 2 px = 8 px
    assert track_lost((at, replace(at, radius=38.1)), centres, radii)
    assert track_lost((at, PupilObservation(found=False, x=0.0, y=0.0, radius=0.0)), centres, radii)
    wide = replace(at, radius=40.0)  # 10 px too wide on both frames: lost, but one circle held
    assert track_lost((wide, wide), centres, radii) and steady((wide, wide))
    assert not steady((wide, replace(wide, radius=43.0)))


def test_the_summary_counts_each_finder_and_leaves_out_what_was_not_animated():
    row = {"lost": True, "lost_steady": False, "reflex_vetoed": True}
    held = {"lost": False, "lost_steady": False, "reflex_vetoed": False}
    rows = [
        {"animated": True, "old": row, "new": held},
        {"animated": True, "old": held, "new": held},
        {"animated": False, "why": "QualityError"},
    ]
    assert summary(rows, "old") == {
        "tracks_lost": 1, "lost_but_steady": 0, "reflex_vetoed": 1, "vetoed_with_track_lost": 1
    }  # fmt: skip
    assert summary(rows, "new") == {
        "tracks_lost": 0, "lost_but_steady": 0, "reflex_vetoed": 0, "vetoed_with_track_lost": 0
    }  # fmt: skip
