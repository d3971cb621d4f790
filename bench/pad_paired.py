"""Several liveness detectors on the same fresh held-out presentations: a paired comparison (issue 26).

    nice .venv/bin/python bench/pad_paired.py --seeds 6401,6402 [--per-class 200] [--workers 2] \\
        [--detector liveness/models] [--detector OTHER_DIR] [--json]

Each `--detector DIR` holds a texture_cnn.onnx and a fusion.json (default: the shipped models, then the
candidate's). Every presentation of the held-out split (`simulation.pad_dataset`, the indices
`bench/liveness.py --seeds` uses) is generated once, its pupil tracked once and its physical cues and
reflection blur measured once; only the texture CNN and the fusion differ between detectors, so their
differences are the detectors', not the draw's. Seed to seed, one live eye of 200 is 0.5 points of BPCER,
so "is the candidate better" is answered here, on the same eyes, and not by two runs on different seeds.

Reported per seed and pooled, for each detector: APCER per attack species, BPCER, and how the live eyes
were refused (the blur ceiling, a veto, or the fused score); then, for each pair, the live eyes and the
attacks one detector decides differently from the other. The baseline in the same run: the first
detector. Frames are never stored; `--scores FILE` keeps each presentation's cue scores, reflection blur
and every detector's texture score (an .npz, no image), so a refusal can be explained later without
drawing the seeds again.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from liveness.assess import physical_cues  # noqa: E402
from liveness.evaluation.heldout import SEED_STRIDE  # noqa: E402
from liveness.fusion import BLUR, load_fusion  # noqa: E402
from liveness.glint_blur import glint_blur  # noqa: E402
from liveness.pupil_finder import track_pupil  # noqa: E402
from liveness.texture_model import TextureModel, texture_crops  # noqa: E402
from simulation.pad_dataset import BONA_FIDE, CLASSES, presentation  # noqa: E402

DEFAULT_DETECTORS = (ROOT / "liveness" / "models", ROOT / "liveness" / "models" / "candidate")

_models: list[TextureModel] = []


def _load(detectors: list[Path]) -> None:
    _models[:] = [TextureModel(d / "texture_cnn.onnx") for d in detectors]


def _score(job: tuple[str, int]) -> tuple[str, int, dict[str, float], list[float]]:
    """Cues measured once; the texture score of every detector's CNN on the same crops."""
    species, index = job
    p = presentation("heldout", species, index)
    observations = track_pupil(p.frames)
    cues = physical_cues(p.frames, p.schedule, observations)
    cues[BLUR] = glint_blur(p.frames, observations, len(p.schedule.leds))
    crops = texture_crops(p.frames, observations)
    return species, index, cues, [m.score(crops) for m in _models]


def figures(decisions: dict[str, list[str]]) -> dict[str, object]:
    """APCER per species, BPCER and the live eyes' refusals by cause, from one detector's decisions."""
    live = decisions[BONA_FIDE]
    causes: dict[str, int] = {}
    for d in live:
        if d != "accepted":
            causes[d] = causes.get(d, 0) + 1
    apcer = {s: float(np.mean([d == "accepted" for d in v])) for s, v in decisions.items() if s != BONA_FIDE}
    return {
        "bpcer": float(np.mean([d != "accepted" for d in live])),
        "apcer": apcer,
        "apcer_max": max(apcer.values()),
        "accepted_attacks": {
            s: int(sum(d == "accepted" for d in v)) for s, v in decisions.items() if s != BONA_FIDE
        },
        "live_refused_by": dict(sorted(causes.items())),
    }


def save_scores(path: Path, scored: list[tuple[str, int, dict[str, float], list[float]]]) -> None:
    """Each presentation's species, index, cue scores (with the blur) and texture scores, one file."""
    names = sorted(scored[0][2])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as f:  # then rename: never a half-written file
        np.savez_compressed(
            f,
            species=np.array([s for s, _, _, _ in scored]),
            index=np.array([i for _, i, _, _ in scored]),
            cue_names=np.array(names),
            cues=np.array([[c[n] for n in names] for _, _, c, _ in scored]),
            texture=np.array([t for _, _, _, t in scored]),
        )
    tmp.replace(path)


def run(
    seeds: list[int], per_class: int, detectors: list[Path], workers: int, scores: Path | None = None
) -> dict[str, object]:
    fusions = [load_fusion(d / "fusion.json") for d in detectors]
    names = [str(d.relative_to(ROOT)) if d.is_relative_to(ROOT) else str(d) for d in detectors]
    jobs = [(c, seed * SEED_STRIDE + i) for seed in seeds for c in CLASSES for i in range(per_class)]
    start = time.time()
    with Pool(workers, initializer=_load, initargs=(detectors,)) as pool:
        scored = pool.map(_score, jobs, chunksize=2)
    if scores is not None:
        save_scores(scores, scored)
    # decisions[detector][seed][class] -> one decision per presentation, in job order
    decisions = [{s: {c: [] for c in CLASSES} for s in seeds} for _ in detectors]
    for species, index, cues, textures in scored:
        seed = index // SEED_STRIDE
        for k, fusion in enumerate(fusions):
            decisions[k][seed][species].append(fusion.outcome({**cues, "texture": textures[k]}))
    pooled = [
        {c: [d for s in seeds for d in decisions[k][s][c]] for c in CLASSES} for k in range(len(detectors))
    ]
    pairs = []
    for a in range(len(detectors)):
        for b in range(a + 1, len(detectors)):
            differ = {}
            for c in CLASSES:
                both = list(zip(pooled[a][c], pooled[b][c], strict=True))
                differ[c] = {
                    f"{names[a]} only": sum(x == "accepted" != y for x, y in both),
                    f"{names[b]} only": sum(y == "accepted" != x for x, y in both),
                }
            pairs.append({"detectors": [names[a], names[b]], "accepted_by_one_only": differ})
    return {
        "seeds": seeds,
        "per_class": per_class,
        "detectors": [
            {
                "dir": names[k],
                "threshold": fusions[k].threshold,
                "per_seed": {str(s): figures(decisions[k][s]) for s in seeds},
                "pooled": figures(pooled[k]),
            }
            for k in range(len(detectors))
        ],
        "pairs": pairs,
        "wall_seconds": round(time.time() - start, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", required=True, help="comma-separated held-out seeds, e.g. 6401,6402")
    parser.add_argument("--per-class", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--detector", type=Path, action="append", help="a directory with texture_cnn.onnx and fusion.json"
    )
    parser.add_argument("--scores", type=Path, help="also write every presentation's scores here (.npz)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    try:
        seeds = [int(x) for x in args.seeds.split(",")]
    except ValueError:
        parser.error("--seeds takes comma-separated integers, e.g. 6401,6402")
    if len(set(seeds)) != len(seeds) or min(seeds) < 0:
        parser.error("--seeds repeats a seed or has a negative one")
    if args.per_class < 1 or args.per_class > SEED_STRIDE:
        parser.error(f"--per-class must be in [1, {SEED_STRIDE}]")
    detectors = [d.resolve() for d in (args.detector or DEFAULT_DETECTORS)]
    for d in detectors:
        if not (d / "texture_cnn.onnx").is_file() or not (d / "fusion.json").is_file():
            parser.error(f"{d} lacks texture_cnn.onnx or fusion.json")
    result = run(seeds, args.per_class, detectors, args.workers, args.scores)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    for det in result["detectors"]:
        print(f"{det['dir']} (threshold {det['threshold']:.4f})")
        for seed, f in det["per_seed"].items():
            refused = f["live_refused_by"]
            print(f"  seed {seed}: BPCER {f['bpcer']:.2%}, worst APCER {f['apcer_max']:.2%}, by {refused}")
        f = det["pooled"]
        print(f"  pooled: BPCER {f['bpcer']:.2%}, accepted attacks {f['accepted_attacks']}")
    for pair in result["pairs"]:
        print(f"{' vs '.join(pair['detectors'])}: accepted by one only {pair['accepted_by_one_only']}")


if __name__ == "__main__":
    main()
