"""Liveness training rows from rendered eyes that wear a real iris: each training photograph's texture
(`real_iris_texture`) on a rendered live eye, bare and under a printed cosmetic lens (issue 26).

    nice -n 5 .venv/bin/python -m simulation.transplant_set --data ../shared/iris-dev/iitd --workers 2

`simulation.real_still_set` animates the photograph itself (its lids, lashes, skin and camera), which
ties a row to one photograph's framing and gave 316 lens rows; here the renderer draws everything but the
iris tissue (the eye, its lids, pupil reflex and motion, the station's LEDs and camera, and the lens from
`TRAIN_RANGES`), so every photograph can serve many times, under both classes, with the same tissue: the
print is the only difference the CNN can learn from. The split is `real_still_set`'s (subjects with
int(id) % 4 == 3 held out, never read here). Writes .cache/liveness/transplant_set.npz (gitignored, as
every row made from the real photographs: crops of them are never committed), in `real_still_set`'s
format, all rows in the "cnn" phase; `--heldout` makes the held-out subjects' rows (phase "heldout", the
held-out ranges: lens designs and pitches never trained on) to score candidates once, after the choice.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from enrollment.iris.errors import QualityError
from enrollment.iris.segment import segment
from hardware.illumination import IlluminationSchedule
from liveness.errors import LivenessError
from liveness.training.build_training_set import features_of
from simulation.attacks import HELDOUT_RANGES, TRAIN_RANGES
from simulation.attacks.contact_lens import lens_overlay
from simulation.attacks.recapture import random_eye, station_conditions
from simulation.live_eye import capture_bona_fide_sequence
from simulation.pad_dataset import BONA_FIDE, Presentation
from simulation.real_iris_texture import TextureUnavailableError, iris_texture_from_photo
from simulation.real_still_set import DEV_DATA, collect, eye_photographs, subject_of

OUT = Path(".cache/liveness/transplant_set.npz")
SEED_ROOT = 30_110  # its own stream (real_still_set: 900_000 + n, the real-photo benches 30_107/8/9)
SPECIES = (BONA_FIDE, "contact_lens")
SAVE_EVERY = 40


def transplanted(
    texture_gray: np.ndarray, pupil, iris, hidden, seed: int, species: str, heldout: bool = False
) -> Presentation:
    """A rendered live eye wearing the photograph's iris, bare or under a printed lens; deterministic.
    `heldout`: draw the eye, camera and lens from the held-out split's ranges (and another seed stream)."""
    ranges = HELDOUT_RANGES if heldout else TRAIN_RANGES
    rng = np.random.default_rng([SEED_ROOT, seed, SPECIES.index(species), *([1] if heldout else [])])
    eye = random_eye(rng, ranges.subjects)
    texture = iris_texture_from_photo(texture_gray, pupil, iris, hidden, float(eye.iris_brightness))
    schedule = IlluminationSchedule.random_step(rng, n_frames=20)
    conditions = station_conditions(rng, ranges)
    overlay = None
    if species == "contact_lens":
        kind = str(rng.choice(ranges.lens_patterns))
        overlay = lens_overlay(kind, float(conditions.iris_radius_px), ranges.lens_dot_pitch_px, rng)
    frames = capture_bona_fide_sequence(
        eye, schedule, conditions, rng, texture_polar=texture, overlay=overlay
    )
    return Presentation(species, frames, schedule)


def rows_of(job: tuple[str, int, int, bool]) -> list[tuple]:
    """The stored rows (crops, cues, blur, species, phase, seed, subject) of one photograph, `uses`
    presentations of each class (the held-out split's ranges and phase "heldout" when `heldout`)."""
    path, seed, uses, heldout = job
    phase = "heldout" if heldout else "cnn"
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    rows = []
    try:
        seg = segment(gray)
        pupil, iris = (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)
        for use in range(uses):
            for species in SPECIES:
                p = transplanted(gray, pupil, iris, seg.noise_mask, seed * 16 + use, species, heldout)
                rows.append((*features_of(p), species, phase, seed * 16 + use, subject_of(Path(path))))
    except (QualityError, LivenessError, TextureUnavailableError):
        pass  # a photograph that cannot be segmented or unwrapped gives no row
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--uses", type=int, default=1, help="presentations of each class per photograph")
    parser.add_argument("--limit", type=int, default=0, help="only the first N photographs")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--heldout", action="store_true",
        help="the held-out subjects, with the held-out ranges (phase 'heldout': to score, never to train)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"--data {args.data} is not a directory of SUBJECT/EYE/*.png")
    if args.uses < 1 or args.workers < 1 or args.limit < 0:
        parser.error("--uses and --workers must be at least 1, --limit not negative")
    eyes = eye_photographs(args.data, heldout=args.heldout)
    # round-robin over the eyes (every eye's first photograph, then every eye's second, ...), so a set
    # cut short still covers every eye
    photos = [e[k] for k in range(max(map(len, eyes))) for e in eyes if k < len(e)]
    jobs = [(str(p), n, args.uses, args.heldout) for n, p in enumerate(photos)]
    if args.limit:
        jobs = jobs[: args.limit]
    collect(jobs, rows_of, args.out, args.workers, SAVE_EVERY)


if __name__ == "__main__":
    main()
