"""Generate the training split and store what the learners need (crops and cue scores, no frames).

    nice .venv/bin/python -m liveness.training.build_training_set --cnn 64 --fusion 50 --workers 2

More data later, without regenerating what is there: `--append --cnn-start 64 --cnn 64 --fusion 0`
(or `--fusion-start 50 --fusion 50 --cnn 0` for the fusion phase). `--tails` keeps, from --cnn-start on,
only the captures with a dark iris or an extreme pupil (`liveness.training.tails`).

Writes .cache/liveness/train_set.npz: texture crops (float16), hand-built cue scores, the
reflection blur (`liveness.glint_blur`), species and which learner each presentation belongs to
("cnn": indices [0, --cnn), "fusion": indices [FUSION_OFFSET, FUSION_OFFSET + --fusion)). Raw
frames are never stored.
"""

from __future__ import annotations

import argparse
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from liveness.assess import physical_cues
from liveness.fusion import CUES
from liveness.glint_blur import glint_blur
from liveness.pupil_finder import track_pupil
from liveness.texture_model import texture_crops
from liveness.training.tails import TAIL_SPECIES, tail_indices
from simulation.pad_dataset import CLASSES, FUSION_OFFSET, Presentation, presentation

OUT = Path(".cache/liveness/train_set.npz")
PHYSICAL = tuple(c for c in CUES if c != "texture")


def features(job: tuple[str, str, int]) -> tuple[np.ndarray, np.ndarray, float]:
    """(crops float16, physical cue scores, reflection blur) of one presentation of the split."""
    split, species, index = job
    return features_of(presentation(split, species, index))


def features_of(p: Presentation) -> tuple[np.ndarray, np.ndarray, float]:
    """(crops float16, physical cue scores, reflection blur) of a presentation."""
    obs = track_pupil(p.frames)
    cues = physical_cues(p.frames, p.schedule, obs)
    crops = texture_crops(p.frames, obs).astype(np.float16)
    return crops, np.array([cues[c] for c in PHYSICAL]), glint_blur(p.frames, obs, len(p.schedule.leds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cnn", type=int, default=64, help="presentations per class for the CNN")
    parser.add_argument("--fusion", type=int, default=50, help="presentations per class for the fusion")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--classes", nargs="+", choices=CLASSES, default=list(CLASSES), help="regenerate only these classes"
    )
    parser.add_argument("--update", action="store_true", help="replace these classes' rows in --out")
    parser.add_argument("--cnn-start", type=int, default=0, help="first CNN presentation index")
    parser.add_argument(
        "--fusion-start", type=int, default=0, help="first fusion presentation, counted from FUSION_OFFSET"
    )
    parser.add_argument(
        "--append", action="store_true", help="add these rows to --out (refuses rows it already holds)"
    )
    parser.add_argument(
        "--tails",
        action="store_true",
        help="CNN rows: the first --cnn captures from --cnn-start on with a dark iris or an extreme pupil "
        "(liveness.training.tails; bona_fide and contact_lens only)",
    )
    args = parser.parse_args()
    if args.update and args.append:
        parser.error("--update and --append exclude each other")
    if args.tails and (set(args.classes) - set(TAIL_SPECIES) or args.fusion):
        parser.error(f"--tails picks CNN rows of {TAIL_SPECIES} only: give --classes of those and --fusion 0")
    jobs, phase, species = [], [], []
    for name in args.classes:
        if args.tails:
            try:
                cnn_indices = tail_indices(name, args.cnn_start, args.cnn)
            except ValueError as e:
                parser.error(str(e))
        else:
            cnn_indices = list(range(args.cnn_start, args.cnn_start + args.cnn))
        for i in cnn_indices:
            jobs.append(("train", name, i))
            phase.append("cnn")
            species.append(name)
        for i in range(args.fusion_start, args.fusion_start + args.fusion):
            jobs.append(("train", name, FUSION_OFFSET + i))
            phase.append("fusion")
            species.append(name)
    old = np.load(args.out) if args.update or args.append else None
    if args.append:
        held = set(zip(old["species"], old["phase"], old["index"].tolist(), strict=True))
        again = [j for j, ph in zip(jobs, phase, strict=True) if (j[1], ph, j[2]) in held]
        if again:
            parser.error(f"{args.out} already holds {len(again)} of these presentations, e.g. {again[0]}")
    start = time.time()
    with Pool(args.workers) as pool:
        results = []
        for k, r in enumerate(pool.imap(features, jobs, chunksize=4)):
            results.append(r)
            if k % 50 == 0:
                print(f"{k}/{len(jobs)} presentations, {time.time() - start:.0f} s", flush=True)
    table = {
        "crops": np.stack([r[0] for r in results]),
        "cues": np.stack([r[1] for r in results]),
        "blur": np.array([r[2] for r in results]),
        "species": np.array(species),
        "phase": np.array(phase),
        "index": np.array([j[2] for j in jobs]),
    }
    if old is not None:  # presentations are deterministic: this equals regenerating everything
        keep = ~np.isin(old["species"], args.classes) if args.update else np.ones(len(old["species"]), bool)
        stored = dict(old)
        stored.setdefault("blur", np.full(len(keep), np.nan))  # sets stored before the blur was
        table = {k: np.concatenate([stored[k][keep], v]) for k, v in table.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    with tmp.open("wb") as f:  # then rename: a crash never leaves a half-written set
        np.savez_compressed(f, cue_names=np.array(PHYSICAL), **table)
    tmp.replace(args.out)
    print(f"wrote {args.out} ({len(jobs)} presentations, {time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
