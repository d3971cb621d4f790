"""Textured lenses and prosthetic eyes made from real photographs (read at run time from ../shared/iris-dev;
never stored): the lens print sits at fixed radii over the live eye and leaves its clear centre and the
reflex alone, the prosthesis never reacts, liveness refuses both, the same seed gives the same frames.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from enrollment.iris.segment import segment
from liveness import assess
from liveness.errors import LivenessError
from liveness.pupil_edge import edge_radii
from liveness.pupil_finder import track_pupil
from simulation.real_photo_bona_fide import animate_still
from simulation.real_photo_worn import LENS_SEED_ROOT, real_photo_lens, real_photo_prosthetic

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"
STILLS = ("003/L/01_L", "040/R/06_R")


def _still(name: str):
    gray = cv2.imread(str(DEV / f"{name}.png"), cv2.IMREAD_GRAYSCALE)
    assert gray is not None, name
    seg = segment(gray)
    return gray, (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r), seg.noise_mask


def _radii(frames: np.ndarray) -> np.ndarray:
    return np.array([o.radius for o in edge_radii(frames, track_pupil(frames))])


def test_the_lens_print_covers_the_iris_and_leaves_the_clear_centre_and_the_reflex():
    gray, pupil, iris, hidden = _still(STILLS[0])
    lens = real_photo_lens(gray, pupil, iris, hidden, seed=3)
    bare = animate_still(gray, pupil, iris, np.random.default_rng([LENS_SEED_ROOT, 3]), "bona_fide")
    a, b = lens.presentation.frames.astype(np.int16), bare.presentation.frames.astype(np.int16)
    assert a.shape == b.shape == (20, 480, 640)
    # The same live eye under the lens (same draws), so the frames differ only where ink is printed.
    cx, cy = bare.pupil_center_px[0]
    ys, xs = np.mgrid[0:480, 0:640]
    rho = np.hypot(xs - cx, ys - cy) / (bare.pupil_radius_px[0] / (pupil[2] / iris[2]))  # iris radii
    diff = np.abs(a[0] - b[0])
    assert np.mean(diff[rho < 0.25]) < 1.0  # the clear optic zone (>= 0.3 iris radii)
    assert np.mean(diff[rho > 1.35]) < 1.0  # beyond the print
    assert np.mean(diff[(rho > 0.6) & (rho < 0.9)]) > 4.0  # the printed annulus
    # The wearer's pupil still reacts, as much as without the lens.
    drop_lens = _radii(lens.presentation.frames)[:3].mean() - _radii(lens.presentation.frames)[-3:].mean()
    drop_drawn = lens.pupil_radius_px[:3].mean() - lens.pupil_radius_px[-3:].mean()
    assert drop_drawn > 2.0 and abs(drop_lens - drop_drawn) < 1.5


def test_the_prosthesis_never_reacts_and_liveness_refuses_it():
    gray, pupil, iris, _ = _still(STILLS[1])
    doll = real_photo_prosthetic(gray, pupil, iris, seed=2)
    assert doll.reflex is None and np.ptp(doll.pupil_radius_px) == 0.0
    radii = _radii(doll.presentation.frames)
    assert np.all(np.isfinite(radii)) and np.ptp(radii) < 1.0
    p = doll.presentation
    assert p.species == "prosthetic" and not assess(p.frames, p.schedule).is_live


@pytest.mark.parametrize("name", STILLS)
def test_liveness_refuses_a_lens_made_from_a_real_photograph(name):
    gray, pupil, iris, hidden = _still(name)
    p = real_photo_lens(gray, pupil, iris, hidden, seed=STILLS.index(name)).presentation
    assert p.species == "contact_lens" and not assess(p.frames, p.schedule).is_live


def test_the_same_seed_gives_the_same_frames_and_bad_input_is_refused():
    gray, pupil, iris, hidden = _still(STILLS[1])
    a = real_photo_lens(gray, pupil, iris, hidden, seed=8).presentation.frames
    b = real_photo_lens(gray, pupil, iris, hidden, seed=8).presentation.frames
    np.testing.assert_array_equal(a, b)
    c = real_photo_prosthetic(gray, pupil, iris, seed=8).presentation.frames
    d = real_photo_prosthetic(gray, pupil, iris, seed=8).presentation.frames
    np.testing.assert_array_equal(c, d)
    with pytest.raises(LivenessError):
        real_photo_lens(gray, pupil, iris, hidden[:10], seed=0)
    with pytest.raises(LivenessError):
        real_photo_prosthetic(gray, (pupil[0], pupil[1], iris[2]), iris, seed=0)
