"""The pupil finder's two priors (stop 44): the LEDs' corneal reflections lie in or near the pupil, and
a circle with a smaller well-edged one inside it is an iris around its pupil.

On live eyes animated from REAL stills (training subjects of ../shared/iris-dev, read at run time, never
copied) the finder before them left the pupil for a tuft of lashes on the upper lid (8-12 px, dark, round,
beside bright skin) for some or all frames, and the reflex veto refused the eye; on rendered dark irises
it took the iris boundary for a small pupil. Each case below failed with the finder at bea137a, but the
last two, which a first draft of the iris prior failed.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from liveness.pupil_finder import GLINT_LEVEL, GLINT_MAX_AREA_PX, _glints, find_pupil, track_pupil
from simulation.pad_dataset import BONA_FIDE, capture_draws, presentation

from .real_stills import animated_still

# image: the animation's seed. Stop 44's development run (training subjects' stills, seed = the
# still's place in bench/pad_real_attacks.py's list); bea137a's track left each pupil for a lash tuft.
REAL = {
    "028/L/03_L": 202,  # all 20 frames on a 9 px tuft: the reflex veto refused the eye
    "033/R/10_R": 249,  # left the pupil for a 12 px tuft at the light step: refused
    "020/L/01_L": 140,  # the same, a large pupil
    "045/R/06_R": 335,  # the reflections cut the pupil's disc in two: the first frames on a tuft
    "041/R/07_R": 306,  # half the cut disc refined to a 19 px circle inside the pupil
    # and two the iris prior must leave alone: a circle inside a real pupil (its soft edge) is not a
    # pupil inside an iris (a first draft of the prior took 32 px and 22 px circles here on frame 0)
    "017/R/08_R": 127,
    "041/L/03_L": 302,
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_the_track_stays_on_a_real_pupil_not_a_tuft_of_lashes(name):
    _, still = animated_still(name, REAL[name])
    observed = track_pupil(still.presentation.frames)
    for o, centre, r in zip(observed, still.pupil_center_px, still.pupil_radius_px, strict=True):
        assert o.found
        # the animation's own pupil; the segmentation it starts from is good to a few px
        assert np.hypot(o.x - centre[0], o.y - centre[1]) <= max(5.0, 0.3 * r), (o, centre, r)
        assert abs(o.radius - r) <= 0.2 * r + 2.0, (o, r)


@pytest.mark.parametrize("index", [900_107, 900_036])
def test_a_rendered_dark_iris_or_a_blob_does_not_pass_for_the_pupil(index):
    # 900107: a dark iris (the pupil's edge weak, the limbus strong) taken for an 80 px pupil;
    # 900036: a dark iris whose track sat on a 10 px blob for half the capture. Train split, indices
    # no training set uses (stop 44's development range).
    _, conditions = capture_draws("train", BONA_FIDE, index)
    observed = track_pupil(presentation("train", BONA_FIDE, index).frames)
    iris, pupil = conditions.iris_radius_px, conditions.pupil_ratio * conditions.iris_radius_px
    for o in observed:
        assert o.found
        assert np.hypot(o.x - conditions.center[0], o.y - conditions.center[1]) <= 0.2 * iris
        assert abs(o.radius - pupil) <= 0.35 * pupil, (o.radius, pupil)


def test_the_reflections_are_small_saturated_spots_only():
    frame = np.full((480, 640), 90, np.uint8)
    assert _glints(frame).shape == (0, 2)
    cv2.circle(frame, (300, 200), 3, GLINT_LEVEL, -1)
    cv2.circle(frame, (330, 200), 3, 255, -1)
    frame[400:430, 10:40] = 255  # 900 px: a highlight on skin, not an LED's reflection
    assert GLINT_MAX_AREA_PX < 900
    spots = sorted(map(tuple, _glints(frame).round(1)))
    assert spots == [(300.0, 200.0), (330.0, 200.0)]
    frame[200, 300] = GLINT_LEVEL - 1  # below the level: still one spot, now with a hole
    assert len(_glints(frame)) == 2


def test_a_dark_round_blob_far_from_the_reflections_loses_to_a_ragged_pupil_near_them():
    # A drawn eye: a pupil whose edge is ragged (crypts reach into it, so few rays agree on a
    # circle), with the LEDs' two reflections inside; far above, on bright skin, a blacker and
    # rounder disc of lashes. Without the reflections the blob is the better circle.
    rng = np.random.default_rng(3)
    frame = np.full((480, 640), 170, np.uint8)
    cv2.circle(frame, (320, 260), 95, 95, -1)  # iris
    angles = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    radii = 32 + 7 * (rng.random(90) > 0.6)  # the edge jumps out by 7 px on 40% of the rays
    outline = np.stack([320 + radii * np.cos(angles), 260 + radii * np.sin(angles)], axis=1).astype(np.int32)
    cv2.fillPoly(frame, [outline], 12)
    cv2.circle(frame, (320, 110), 13, 0, -1)  # the tuft on the lid, 150 px from the pupil
    noisy = np.clip(frame + rng.normal(0, 2, frame.shape), 0, 255).astype(np.uint8)
    blob_first = find_pupil(noisy)
    assert blob_first.found and abs(blob_first.y - 110) < 3, blob_first  # no reflections: the tuft
    for x in (305, 335):
        cv2.circle(noisy, (x, 265), 3, 255, -1)
    p = find_pupil(noisy)
    assert p.found and np.hypot(p.x - 320, p.y - 260) < 6 and 30 <= p.radius <= 40, p
