"""Texture CNNs on real iris tissue of the held-out subjects, at each CNN's own synthetic operating point
(issue 26): rendered eyes wearing a held-out subject's iris, and the held-out photographs animated.

    nice -n 5 .venv/bin/python bench/texture_real_tissue.py --fusion .cache/liveness/fusion_set.npz \\
        --transplant .cache/liveness/transplant_heldout.npz [--workers 2] [--json] MODEL.onnx [MODEL.onnx ...]

For each model (the shipped `liveness/models/texture_cnn.onnx` first, as the baseline of the same run):
its texture score's BPCER 2% (1%, 5%) point on the synthetic fusion phase's bona fide (`build_training_set
--fusion`, which no CNN trained on) and the share of that phase's lenses at or above it; then, at that same
point, the share of held-out live eyes it refuses and of held-out lenses it passes, on two sets of the
held-out subjects (int(id) % 4 == 3, never trained on): `--transplant` (`simulation.transplant_set
--heldout`: rendered eyes wearing their irises, bare and under lenses of the held-out designs) and their
photographs animated (`real_still_bona_fide`, and `real_photo_lens` with the held-out designs), made here
from `--data` on the first run and kept in `--stills-cache` (gitignored `.cache/`: crops of real
photographs never enter the repository). Also the lens pass at each live set's own 2% and 5% points: how
well the CNN separates the two classes on that tissue, whatever the threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enrollment.iris.errors import QualityError  # noqa: E402
from enrollment.iris.segment import segment  # noqa: E402
from liveness.errors import LivenessError  # noqa: E402
from liveness.pupil_finder import track_pupil  # noqa: E402
from liveness.texture_model import MODEL_PATH, TextureModel, texture_crops  # noqa: E402
from simulation.pad_dataset import BONA_FIDE  # noqa: E402
from simulation.real_photo_bona_fide import real_still_bona_fide  # noqa: E402
from simulation.real_photo_worn import real_photo_lens  # noqa: E402
from simulation.real_still_set import eye_photographs  # noqa: E402

LENS = "contact_lens"
STILL_SEED_BASE = 40_000  # the animated stills' seeds: base + photograph number (other benches: 0, 1, ...)
POINTS = (0.02, 0.01, 0.05)


def _still_rows(job: tuple[str, int]) -> list[tuple[str, np.ndarray]]:
    path, seed = job
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    try:
        seg = segment(gray)
        pupil, iris = (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)
        live = real_still_bona_fide(gray, pupil, iris, seed=seed).presentation
        lens = real_photo_lens(gray, pupil, iris, seg.noise_mask, seed).presentation  # held-out designs
    except (QualityError, LivenessError):
        return []
    return [(name, texture_crops(p.frames, track_pupil(p.frames)).astype(np.float16)) for name, p in
            ((BONA_FIDE, live), (LENS, lens))]  # fmt: skip


def held_out_stills(data: Path, cache: Path, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """(crops, species) of the held-out subjects' photographs, live and under a lens (made once)."""
    if cache.is_file():
        stored = np.load(cache)
        return stored["crops"], stored["species"]
    photos = [p for eye in eye_photographs(data, heldout=True) for p in eye]
    jobs = [(str(p), STILL_SEED_BASE + n) for n, p in enumerate(photos)]
    with Pool(workers) as pool:
        rows = [row for rows in pool.map(_still_rows, jobs, chunksize=2) for row in rows]
    crops, species = np.stack([r[1] for r in rows]), np.array([r[0] for r in rows])
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as f:
        np.savez_compressed(f, crops=crops, species=species)
    return crops, species


def _scores(model: TextureModel, crops: np.ndarray) -> np.ndarray:
    return np.array([model.score(c) for c in crops.astype(np.float32)])


def _on_tissue(score: np.ndarray, species: np.ndarray, point: float) -> dict:
    live, lens = score[species == BONA_FIDE], score[species == LENS]
    return {
        "live": int(live.size),
        "lenses": int(lens.size),
        "live_refused_at_synthetic_2pct": float(np.mean(live < point)),
        "lenses_passing_at_synthetic_2pct": float(np.mean(lens >= point)),
        "lenses_passing_at_own_2pct": float(np.mean(lens >= np.percentile(live, 2))),
        "lenses_passing_at_own_5pct": float(np.mean(lens >= np.percentile(live, 5))),
        "live_quartiles": [round(float(v), 2) for v in np.percentile(live, (25, 50, 75))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", type=Path, nargs="*", help="candidate texture_cnn.onnx files")
    parser.add_argument("--fusion", type=Path, default=ROOT / ".cache/liveness/fusion_set.npz")
    parser.add_argument("--transplant", type=Path, default=ROOT / ".cache/liveness/transplant_heldout.npz")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "iris-dev" / "iitd")
    parser.add_argument("--stills-cache", type=Path, default=ROOT / ".cache/liveness/real_heldout_crops.npz")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for path in (args.fusion, args.transplant, *args.models):
        if not path.is_file():
            parser.error(f"{path} is missing (the commands that make it: liveness/models/MODEL_CARD.md)")
    if not args.stills_cache.is_file() and not args.data.is_dir():
        parser.error(f"--data {args.data} is not a directory of SUBJECT/EYE/*.png")
    start = time.time()
    fusion = np.load(args.fusion)
    chosen = fusion["phase"] == "fusion"
    f_crops, f_species = fusion["crops"][chosen], fusion["species"][chosen]
    transplant = np.load(args.transplant)
    t_crops, t_species = transplant["crops"], transplant["species"]
    s_crops, s_species = held_out_stills(args.data, args.stills_cache, args.workers)
    result = {}
    for path in (MODEL_PATH, *args.models):
        model = TextureModel(path)
        f_score = _scores(model, f_crops)
        live, lens = f_score[f_species == BONA_FIDE], f_score[f_species == LENS]
        points = {b: float(np.percentile(live, 100 * b)) for b in POINTS}
        result[str(path)] = {
            "synthetic": {
                "live": int(live.size),
                "lenses": int(lens.size),
                **{f"lenses_passing_at_bpcer_{b}": float(np.mean(lens >= t)) for b, t in points.items()},
            },
            "transplanted_heldout": _on_tissue(_scores(model, t_crops), t_species, points[0.02]),
            "real_stills_heldout": _on_tissue(_scores(model, s_crops), s_species, points[0.02]),
        }
    result["seconds"] = round(time.time() - start, 1)
    print(json.dumps(result, indent=None if args.json else 1))


if __name__ == "__main__":
    main()
