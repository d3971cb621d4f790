"""The liveness pupil finder and edge tracker on REAL near-infrared stills (read at run time from
../shared/iris-dev; the images are never copied into the repository, see its README).

The reference pupils are the circles checked by eye on overlays for the iris pipeline's test
(`tests/enrollment/test_iris_real_eyes.py`: each lies on the visible pupil boundary to ~2 px);
3 px is the width of the pupil's edge blur at 320x240. The finder fitted on renders alone put
074/L/01_L (a dilated pupil whose dark region reaches the lashes) 16 px off, its radius 12 px wide.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from liveness.pupil_edge import edge_radii
from liveness.pupil_finder import find_pupil, track_pupil

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"
TOLERANCE_PX = 3.0
PUPILS = {  # image: pupil (x, y, r) in px, as in tests/enrollment/test_iris_real_eyes.py
    "001/L/01_L": (130.0, 143.5, 44.0),
    "002/L/01_L": (154.0, 118.0, 51.0),
    "074/L/01_L": (108.5, 94.0, 46.5),
    "033/L/01_L": (148.0, 130.0, 42.0),
    "061/R/07_R": (162.0, 118.0, 35.0),
}


def _gray(name: str) -> np.ndarray:
    path = DEV / f"{name}.png"
    if not path.is_file():
        pytest.fail(f"real iris images missing: {path} (clone the repository with shared/iris-dev beside it)")
    return cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)


@pytest.mark.parametrize("name", sorted(PUPILS))
def test_the_finder_places_a_real_pupil_within_tolerance(name):
    x, y, r = PUPILS[name]
    p = find_pupil(_gray(name))
    assert p.found
    assert np.hypot(p.x - x, p.y - y) <= TOLERANCE_PX and abs(p.radius - r) <= TOLERANCE_PX, p


@pytest.mark.parametrize("name", sorted(PUPILS))
def test_the_edge_tracker_holds_a_real_still_pupil(name):
    x, y, r = PUPILS[name]
    frames = np.repeat(_gray(name)[None], 5, axis=0)  # a still: no light step, nothing moves
    tracked = edge_radii(frames, track_pupil(frames))
    assert all(o.found for o in tracked)
    for o in tracked:
        assert np.hypot(o.x - x, o.y - y) <= TOLERANCE_PX and abs(o.radius - r) <= TOLERANCE_PX, o
