"""A development photograph (../shared/iris-dev, read at run time, never copied) animated into a live capture.

The tests that need one read it by name (SUBJECT/EYE/IMAGE, without .png), segment it with the iris pipeline
and animate it with `simulation.real_photo_bona_fide.real_still_bona_fide`; a missing photograph fails the
test (a skip must not count as passing).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from enrollment.iris.segment import segment
from simulation.real_photo_bona_fide import AnimatedStill, real_still_bona_fide

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "iris-dev" / "iitd"


def animated_still(name: str, seed: int) -> tuple[Path, AnimatedStill]:
    """(the photograph's path, its live animation with `seed`, no denoising)."""
    path = DEV / f"{name}.png"
    if not path.is_file():
        pytest.fail(f"real iris images missing: {path} (clone the repository with shared/iris-dev beside it)")
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    seg = segment(gray)
    pupil, iris = (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)
    return path, real_still_bona_fide(gray, pupil, iris, seed=seed, denoise=0)
