"""Writing a synthetic data set in the layout of the public iris sets: SUBJECT/EYE/IMAGE.png."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from .appearance import LEGACY, Appearance
from .identity import EYES, EyeIdentity
from .render import render_eye


def write_dataset(
    out_dir: str | Path,
    subjects: int,
    captures_per_eye: int,
    seed: int,
    progress=None,
    appearance: Appearance = LEGACY,
) -> list[Path]:
    """Render `subjects` x 2 eyes x `captures_per_eye` images to OUT/SSSS/{L,R}/SSSS_E_KK.png.

    Subject ids are 0..subjects-1, so the identity of a file does not depend on `seed`; `seed`
    drives only the capture variation, drawn from `appearance`'s spread and rendered in its look.
    Returns the written paths; `progress(done, total)` is called after each image when given.
    """
    if subjects < 1 or captures_per_eye < 1:
        raise ValueError("subjects and captures_per_eye must be at least 1")
    out = Path(out_dir)
    rng = np.random.default_rng(seed)
    paths, total = [], subjects * len(EYES) * captures_per_eye
    for subject in range(subjects):
        for eye_name in EYES:
            eye = EyeIdentity.from_seed(subject, eye_name)
            folder = out / f"{subject:04d}" / eye_name
            folder.mkdir(parents=True, exist_ok=True)
            for k in range(captures_per_eye):
                image = render_eye(eye, appearance.conditions(rng), appearance=appearance)
                path = folder / f"{subject:04d}_{eye_name}_{k:02d}.png"
                if not cv2.imwrite(str(path), image):
                    raise OSError(f"could not write {path}")
                paths.append(path)
                if progress is not None:
                    progress(len(paths), total)
    return paths
