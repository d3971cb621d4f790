"""Shared synthetic captures for the iris tests (rendered on the fly, never written to the repo)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from simulation.synthetic_eye import CaptureConditions, EyeIdentity, render_eye, render_eye_with_truth

SUBJECTS = 4
CAPTURES = 3


@lru_cache(maxsize=1)
def small_set() -> tuple[tuple[tuple[int, str], np.ndarray], ...]:
    """SUBJECTS x 2 eyes x CAPTURES realistic random captures: ((subject, eye), image)."""
    rng = np.random.default_rng(77)
    out = []
    for subject in range(SUBJECTS):
        for eye in ("L", "R"):
            identity = EyeIdentity.from_seed(100 + subject, eye)
            for _ in range(CAPTURES):
                out.append(((subject, eye), render_eye(identity, CaptureConditions.random(rng))))
    return tuple(out)


def clean_capture(subject: int = 7, eye: str = "L", **changes: object):
    """A well-posed capture (image, truth) with the given condition changes."""
    return render_eye_with_truth(
        EyeIdentity.from_seed(subject, eye), CaptureConditions(seed=1).replace(**changes)
    )
