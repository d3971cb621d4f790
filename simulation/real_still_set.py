"""Liveness training rows from real NIR stills: each photograph animated as a live eye and made into the
attacks a victim's photograph allows, with the same features `build_training_set` stores (issue 26).

    nice -n 5 .venv/bin/python -m simulation.real_still_set --data ../shared/iris-dev/iitd --workers 2

The texture CNN had seen only our renders, so it learnt "live = our renderer's iris" and refused 99% of
live eyes animated from real photographs. Here one photograph gives both classes: a bona fide
presentation (`real_still_bona_fide`) and attacks made from the same photograph (a printed lens worn
over it and a prosthesis painted after it, `real_photo_worn`; a print and a screen of it,
`real_photo_attacks`), so what the animation adds to a still is in both classes and only the attack's
artefact tells them apart. The attacks draw from the TRAIN_RANGES (the held-out lens design family
"rings", pitches and angles stay unseen).

The split is fixed here, before any training: subjects with int(id) % 4 == 3 (`heldout_subject`) are
held out (the benches score them once, at the end); rows are made from the other subjects only. Of each
training eye's photographs (sorted), `CNN_PHOTOS` give the CNN's rows ("cnn" phase: bona fide and lens of
each, and a print, screen or prosthesis of the first, in turn from eye to eye) and `FUSION_PHOTOS` the
fusion's ("fusion" phase: bona fide only, other photographs and seeds than the CNN's). `--cnn-photos`,
`--fusion-photos` and `--seed-base` make a further set (stop 43's, `--cnn-photos 0 1 3 --fusion-photos
--seed-base 950000 --out .cache/liveness/real_more43.npz`: new animations and lens designs of the CNN's
photographs and of each eye's fourth, leaving the fusion's photograph and each eye's fifth on unused).

Writes .cache/liveness/real_still_set.npz (gitignored; the crops of real photographs must never be
committed): crops (float16), physical cues, reflection blur, species, phase, index (a seed unique to the
photograph) and subject. The photographs are read, never written; nothing else of them is kept.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

from enrollment.iris.errors import QualityError
from enrollment.iris.segment import segment
from liveness.errors import LivenessError
from liveness.training.build_training_set import PHYSICAL, features_of
from simulation.attacks import TRAIN_RANGES
from simulation.pad_dataset import BONA_FIDE
from simulation.real_photo_attacks import real_photo_presentation
from simulation.real_photo_bona_fide import real_still_bona_fide
from simulation.real_photo_worn import real_photo_lens, real_photo_prosthetic

OUT = Path(".cache/liveness/real_still_set.npz")
DEV_DATA = Path(__file__).resolve().parents[2] / "shared/iris-dev/iitd"  # the development photographs
HELDOUT_SUBJECT_MODULUS = 4  # subjects with int(id) % 4 == 3 are held out of every fit (issue 26)
HELDOUT_SUBJECT_REMAINDER = 3
CNN_PHOTOS = (0, 1)  # of each eye's photographs (sorted; ~5 an eye): these give the CNN's rows,
FUSION_PHOTOS = (2,)  # this one the fusion's (the rest unused: the time this set was sized to)
SEED_BASE = 900_000  # presentation seeds: SEED_BASE + photograph number (the benches use 0, 1, ...)
# Each CNN photograph is also worn under a lens; each eye's first is also printed, screened or painted
# on a prosthesis, in turn from eye to eye.
EXTRA_SPECIES = ("print", "screen", "prosthetic")
SAVE_EVERY = 20  # photographs between saves of the set so far


def heldout_subject(subject: str) -> bool:
    """Whether a subject (its folder name, a number) is in the held-out split of the real photographs."""
    return int(subject) % HELDOUT_SUBJECT_MODULUS == HELDOUT_SUBJECT_REMAINDER


def subject_of(photo: Path) -> str:
    """The subject of a SUBJECT/EYE/*.png photograph."""
    return photo.parent.parent.name


def eye_photographs(data: Path, heldout: bool) -> list[list[Path]]:
    """Each SUBJECT/EYE folder's photographs (sorted), of the held-out subjects or of the others."""
    eyes = sorted(p for p in data.glob("*/*") if p.is_dir() and heldout_subject(p.parent.name) == heldout)
    return [sorted(eye.glob("*.png")) for eye in eyes]


def jobs_for(
    data: Path,
    cnn_photos: tuple[int, ...] = CNN_PHOTOS,
    fusion_photos: tuple[int, ...] = FUSION_PHOTOS,
    seed_base: int = SEED_BASE,
) -> list[tuple[str, int, tuple[str, ...], str]]:
    """(path, seed, species, phase) for the training subjects' photographs that make rows, in rounds:
    every eye's first CNN photograph, then every eye's fusion photographs, then every eye's other CNN
    photographs; so a set cut short (`--limit`, or a run stopped after a save) still covers every eye.
    A photograph's seed is `seed_base` + its number among all the training subjects' photographs, whatever
    positions are chosen, so two sets made from different positions never share a seed; another
    `seed_base` (at least the photographs' count apart) makes the same photographs into new
    presentations (another animation, another lens design over the same eye)."""
    if set(cnn_photos) & set(fusion_photos):
        raise ValueError(
            f"a photograph position is both the CNN's and the fusion's: {cnn_photos}, {fusion_photos}"
        )
    if any(k < 0 for k in (*cnn_photos, *fusion_photos)):
        raise ValueError("photograph positions are counted from 0")
    order = [*cnn_photos[:1], *fusion_photos, *cnn_photos[1:]]
    round_of = {k: r for r, k in enumerate(order)}  # photograph position -> the round it is made in
    rounds: dict[int, list] = {}
    number = 0
    for e, photos in enumerate(eye_photographs(data, heldout=False)):
        for k, photo in enumerate(photos):
            number += 1
            if k in cnn_photos:
                extra = (EXTRA_SPECIES[e % len(EXTRA_SPECIES)],) if k == cnn_photos[0] else ()
                job = (str(photo), seed_base + number, (BONA_FIDE, "contact_lens", *extra), "cnn")
            elif k in fusion_photos:
                job = (str(photo), seed_base + number, (BONA_FIDE,), "fusion")
            else:
                continue
            rounds.setdefault(round_of[k], []).append(job)
    return [job for r in sorted(rounds) for job in rounds[r]]


def presentations(gray: np.ndarray, seed: int, species: tuple[str, ...]):
    """(species, Presentation) of a photograph; raises QualityError or LivenessError when it cannot be
    segmented or animated."""
    seg = segment(gray)
    pupil, iris = (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)
    for name in species:
        if name == BONA_FIDE:
            yield name, real_still_bona_fide(gray, pupil, iris, seed=seed).presentation
        elif name == "contact_lens":
            yield (
                name,
                real_photo_lens(gray, pupil, iris, seg.noise_mask, seed, ranges=TRAIN_RANGES).presentation,
            )
        elif name == "prosthetic":
            yield name, real_photo_prosthetic(gray, pupil, iris, seed, ranges=TRAIN_RANGES).presentation
        else:
            yield name, real_photo_presentation(gray, iris[:2], iris[2], name, seed, ranges=TRAIN_RANGES)


def rows_of(job: tuple[str, int, tuple[str, ...], str]) -> list[tuple]:
    """The stored rows (crops, cues, blur, species, phase, seed, subject) of one photograph."""
    path, seed, species, phase = job
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    rows = []
    try:
        for name, p in presentations(gray, seed, species):
            rows.append((*features_of(p), name, phase, seed, subject_of(Path(path))))
    except (QualityError, LivenessError):
        pass  # a photograph the segmentation or the animation cannot use gives no row
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEV_DATA)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="only the first N photographs (a speed run)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cnn-photos", type=int, nargs="*", default=list(CNN_PHOTOS),
                        help="each eye's photograph positions (sorted, from 0) giving CNN rows")  # fmt: skip
    parser.add_argument("--fusion-photos", type=int, nargs="*", default=list(FUSION_PHOTOS),
                        help="each eye's photograph positions that give fusion rows")  # fmt: skip
    parser.add_argument("--seed-base", type=int, default=SEED_BASE,
                        help="presentation seeds: this + the photograph's number")  # fmt: skip
    args = parser.parse_args()
    if not args.data.is_dir():
        parser.error(f"--data {args.data} is not a directory of SUBJECT/EYE/*.png")
    if args.seed_base < 0:
        parser.error("--seed-base must be 0 or more")
    try:
        jobs = jobs_for(args.data, tuple(args.cnn_photos), tuple(args.fusion_photos), args.seed_base)
    except ValueError as err:
        parser.error(str(err))
    if not jobs:
        parser.error("no photograph is at the positions chosen")
    if args.limit:
        jobs = jobs[: args.limit]
    collect(jobs, rows_of, args.out, args.workers, SAVE_EVERY)


def collect(
    jobs: list, make_rows: Callable[[object], list[tuple]], out: Path, workers: int, every: int
) -> None:
    """Make every job's rows on `workers` processes, saving the rows so far to `out` every `every` jobs
    and at the end (a run stopped part-way keeps what it made)."""
    start = time.time()
    rows: list[tuple] = []
    with Pool(workers) as pool:
        for k, made in enumerate(pool.imap(make_rows, jobs, chunksize=1), start=1):
            rows.extend(made)
            if rows and (k % every == 0 or k == len(jobs)):
                save(rows, out)
                elapsed = time.time() - start
                print(f"{k}/{len(jobs)} photographs, {len(rows)} rows saved, {elapsed:.0f} s", flush=True)
    print(f"wrote {out} ({len(jobs)} photographs, {len(rows)} rows, {time.time() - start:.0f} s)")


def save(rows: list[tuple], out: Path) -> None:
    """Write the rows so far (then rename: a crash never leaves a half-written set)."""
    table = {
        "crops": np.stack([r[0] for r in rows]),
        "cues": np.stack([r[1] for r in rows]),
        "blur": np.array([r[2] for r in rows]),
        "species": np.array([r[3] for r in rows]),
        "phase": np.array([r[4] for r in rows]),
        "index": np.array([r[5] for r in rows]),
        "subject": np.array([r[6] for r in rows]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("wb") as f:
        np.savez_compressed(f, cue_names=np.array(PHYSICAL), **table)
    tmp.replace(out)


if __name__ == "__main__":
    main()
