"""Liveness on live eyes it did not draw: bona fide presentations animated from real NIR stills, beside
the synthetic bona fide of the held-out split, in one run (issue 26).

    nice .venv/bin/python bench/pad_real_bona_fide.py --data ../shared/iris-dev/iitd [--per-eye 1] \\
        [--workers 1] [--subjects heldout] [--other DIR] [--json]

For every SUBJECT/EYE of `--data` (the `bio eval` layout), its first `--per-eye` photographs are each
segmented by the iris pipeline and animated into the station's 20-frame live capture
(simulation/real_photo_bona_fide.py: the pupil's light reflex as a rubber sheet, the illuminator, the
station's LED reflections, eye and head motion, the autofocus camera). The shipped liveness decides on
each. Since issue 26's real-still training (simulation/real_still_set.py), only the held-out subjects
(`--subjects heldout`: int(id) % 4 == 3) are unseen by every model trained on real stills; `--other DIR`
(a directory with another texture_cnn.onnx and fusion.json, e.g. a candidate) scores the same
presentations with that detector too, its texture cue measured on the same crops. The baseline, in
the same run: synthetic bona fide presentations of the held-out split (`--baseline`, default one a photo).

Reported: BPCER (the share of live presentations refused) with counts; how each refusal came about
(a veto: which; the blur ceiling; or the fused score below the threshold); for the fused-score
refusals, which cue alone, set to the synthetic live eyes' median from this run, would have let it
through; each cue's median and quartiles on both sets; how far the edge tracker's pupil constriction
is from the drawn one. The photographs are read, never written.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pad_real_attacks import chosen_photographs, subject_filter  # noqa: E402

from enrollment.iris.errors import QualityError  # noqa: E402
from enrollment.iris.segment import segment  # noqa: E402
from liveness.assess import measure_cues  # noqa: E402
from liveness.errors import LivenessError  # noqa: E402
from liveness.fusion import BLUR, default_fusion, load_fusion  # noqa: E402
from liveness.pupil_edge import edge_radii  # noqa: E402
from liveness.pupil_finder import track_pupil  # noqa: E402
from liveness.texture_model import TextureModel, texture_crops  # noqa: E402
from simulation.attacks import HELDOUT_RANGES  # noqa: E402
from simulation.attacks.recapture import random_eye  # noqa: E402
from simulation.pad_dataset import BONA_FIDE, presentation  # noqa: E402
from simulation.real_photo_bona_fide import real_still_bona_fide  # noqa: E402
from simulation.synthetic_eye import CaptureConditions, render_eye_with_truth  # noqa: E402

RENDER_INDEX_BASE = 700_000  # held-out indices far from those `pad eval`, bench/liveness.py and
# bench/pad_real_attacks.py (500_000 + i) use
CONTROL_SEED_ROOT = 30_109


def _constriction(frames: np.ndarray, drawn: np.ndarray, schedule) -> tuple[float, float]:
    """(measured, drawn) pupil radius drop in px: mean of the first 3 frames minus the last 3."""
    radii = np.array([o.radius for o in edge_radii(frames, track_pupil(frames))])
    before = slice(0, 3)
    after = slice(len(radii) - 3, len(radii))
    return float(np.nanmean(radii[before]) - np.nanmean(radii[after])), float(
        np.mean(drawn[before]) - np.mean(drawn[after])
    )


@lru_cache(maxsize=1)
def _old_model(path: str) -> TextureModel:
    return TextureModel(Path(path))


def _animated(gray: np.ndarray, pupil, iris, index: int, denoise: float, old: str = "") -> dict:
    still = real_still_bona_fide(gray, pupil, iris, seed=index, denoise=denoise)
    p = still.presentation
    measured, drawn = _constriction(p.frames, still.pupil_radius_px, p.schedule)
    cues = measure_cues(p.frames, p.schedule)
    out = {"animated": True, "cues": cues, "measured_drop_px": measured, "drawn_drop_px": drawn}
    if old:  # the earlier detector's texture cue on the same crops
        out["old_texture"] = _old_model(old).score(texture_crops(p.frames, track_pupil(p.frames)))
    return out


def _real(job: tuple[int, str, float, str]) -> dict:
    index, path, denoise, old = job
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    try:
        seg = segment(gray)
        circles = (seg.pupil.x, seg.pupil.y, seg.pupil.r), (seg.iris.x, seg.iris.y, seg.iris.r)
        return _animated(gray, *circles, index, denoise, old)
    except (QualityError, LivenessError) as e:
        return {"animated": False, "why": type(e).__name__}


def _control(job: tuple[int, float]) -> dict:
    """A synthetic still (a held-out subject, no LEDs, the renderer's own camera noise and blur)
    animated exactly as the photographs are: what the animation itself costs."""
    index, denoise = job
    rng = np.random.default_rng([CONTROL_SEED_ROOT, index])
    eye = random_eye(rng, HELDOUT_RANGES.subjects)
    image, truth = render_eye_with_truth(eye, CaptureConditions.random(rng, leds=()))
    pupil, iris = truth.pupil, truth.iris
    try:
        return _animated(image, (pupil.x, pupil.y, pupil.r), (iris.x, iris.y, iris.r), index, denoise)
    except LivenessError as e:
        return {"animated": False, "why": type(e).__name__}


def _render(index: int) -> dict:
    p = presentation("heldout", BONA_FIDE, RENDER_INDEX_BASE + index)
    return {"animated": True, "cues": measure_cues(p.frames, p.schedule)}


def _summary(rows: list[dict], live_median: dict[str, float], fusion) -> dict:
    outcomes = [fusion.outcome(r["cues"]) for r in rows]
    refused = [o for o in outcomes if o != "accepted"]
    rescued: dict[str, int] = {}
    for r, o in zip(rows, outcomes, strict=True):
        if o != "score":
            continue
        for cue in fusion.cues:  # this cue alone at the synthetic live eyes' median
            if fusion.probability(r["cues"] | {cue: live_median[cue]}) >= fusion.threshold:
                rescued[cue] = rescued.get(cue, 0) + 1
    names = (*fusion.cues, BLUR)
    quartiles = {
        name: [round(float(np.nanpercentile([r["cues"][name] for r in rows], q)), 3) for q in (25, 50, 75)]
        for name in names
    }
    return {
        "presentations": len(rows),
        "refused": len(refused),
        "bpcer": len(refused) / len(rows) if rows else float("nan"),
        "refused_by": {k: refused.count(k) for k in sorted(set(refused))},
        "score_refusals_rescued_by_one_cue_at_live_median": rescued,
        "cue_fired": {c: sum(r["cues"][c] < fusion.cue_thresholds[c] for r in rows) for c in fusion.cues},
        "cue_quartiles": quartiles,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "iris-dev" / "iitd")
    parser.add_argument("--per-eye", type=int, default=1)
    parser.add_argument("--skip", type=int, default=0, help="start after each eye's first N photographs")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="only the first N photographs (a smoke run)")
    parser.add_argument(
        "--denoise",
        type=float,
        nargs="+",
        default=[0.0, 6.0],
        help="non-local-means strength(s) on the still before animation (0: its noise frozen in)",
    )
    parser.add_argument("--control", type=int, default=0, help="also N synthetic stills animated alike")
    parser.add_argument(
        "--subjects", choices=("all", "heldout", "training"), default="all",
        help="heldout: only subjects with int(id) %% 4 == 3, never used in training (issue 26)",
    )  # fmt: skip
    parser.add_argument(
        "--baseline", type=int, default=-1, help="synthetic bona fide (default: one a photograph)"
    )
    parser.add_argument("--other", type=Path, help="a directory with another texture_cnn.onnx + fusion.json")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.per_eye < 1 or args.workers < 1 or args.limit < 0 or args.control < 0:
        parser.error("--per-eye and --workers must be at least 1, --limit and --control not negative")
    if args.baseline == 0:  # the rescue count measures a refused still against their median cues
        parser.error("--baseline must be at least 1 (or left out): the synthetic live eyes are the yardstick")
    if any(not 0.0 <= d <= 30.0 for d in args.denoise):
        parser.error("--denoise strengths lie in [0, 30]")
    images = chosen_photographs(
        parser, args.data, args.per_eye, args.limit, subject_filter(args.subjects), args.skip
    )
    old = str(args.other / "texture_cnn.onnx") if args.other else ""
    start = time.time()
    sets: dict[str, list[dict]] = {}
    with Pool(args.workers) as pool:
        for denoise in args.denoise:
            jobs = [(i, str(p), denoise, old) for i, p in enumerate(images)]
            sets[f"real_still_denoise_{denoise:g}"] = pool.map(_real, jobs, chunksize=2)
        if args.control:
            jobs = [(i, args.denoise[-1]) for i in range(min(args.control, len(images)))]
            sets[f"synthetic_still_denoise_{args.denoise[-1]:g}"] = pool.map(_control, jobs, chunksize=2)
        rendered = pool.map(_render, range(len(images) if args.baseline < 0 else args.baseline), chunksize=2)
    fusion = default_fusion()
    live_median = {c: statistics.median(r["cues"][c] for r in rendered) for c in fusion.cues}
    result: dict = {
        "photographs": len(images),
        "subjects": len({p.parent.parent.name for p in images}),
        "subject_filter": args.subjects,
        "skip": args.skip,
        "threshold": fusion.threshold,
        "synthetic_baseline": _summary(rendered, live_median, fusion),
    }
    for name, rows in sets.items():
        animated = [r for r in rows if r["animated"]]
        drops = np.array([(r["measured_drop_px"], r["drawn_drop_px"]) for r in animated])
        error = np.abs(drops[:, 0] - drops[:, 1])
        result[name] = _summary(animated, live_median, fusion) | {
            "not_animated": {
                k: sum(r.get("why") == k for r in rows) for k in {r.get("why") for r in rows} - {None}
            },
            "constriction_px": {
                "drawn_median": float(np.median(drops[:, 1])),
                "measured_median": float(np.nanmedian(drops[:, 0])),
                "abs_error_median": float(np.nanmedian(error)),
                "abs_error_p90": float(np.nanpercentile(error, 90)),
                "not_measured": int(np.isnan(error).sum()),
            },
        }
        if args.other:  # the same presentations, decided by the earlier detector
            old_fusion = load_fusion(args.other / "fusion.json")
            old_rows = [{"cues": r["cues"] | {"texture": r["old_texture"]}} for r in animated]
            result[name + "_other_detector"] = _summary(old_rows, live_median, old_fusion) | {
                "threshold": old_fusion.threshold
            }
    result["seconds"] = round(time.time() - start, 1)
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True, default=float))
        return
    for name, s in result.items():
        if not isinstance(s, dict) or "bpcer" not in s:
            continue
        print(f"{name}: BPCER {s['bpcer']:.2%} ({s['refused']}/{s['presentations']}), by {s['refused_by']}")
        print(
            "  rescued by one cue at the live median:",
            s["score_refusals_rescued_by_one_cue_at_live_median"],
        )
        print(f"  cue quartiles: {s['cue_quartiles']}")
        if "constriction_px" in s:
            print(f"  constriction: {s['constriction_px']}")


if __name__ == "__main__":
    main()
