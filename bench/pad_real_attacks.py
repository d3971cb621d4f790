"""Liveness against attacks made from real photographs, beside the render-based ones, in one run.

    nice .venv/bin/python bench/pad_real_attacks.py --data ../shared/iris-dev/iitd [--per-eye 1] \\
        [--workers 2] [--json]

For every SUBJECT/EYE of `--data` (the `bio eval` layout), its first `--per-eye` photographs are each
made into a print and a screen presentation (simulation/real_photo_attacks.py: the photograph placed
life-size in the station's frame, the same print and screen physics as the render-based attacks), a
textured contact lens worn over the real eye and a prosthetic eye painted after it
(simulation/real_photo_worn.py: the still animated as a live capture, with a printed lens over it, or
painted on a glass dome with a fixed pupil), and the shipped liveness decides on each. The baseline,
in the same run: as many render-based presentations of each species of the held-out split
(`pad_dataset.presentation("heldout", ...)`). APCER per species (ISO/IEC 30107-3: the share of attack
presentations accepted as live), with counts, how many were refused as too blurred to judge and how
many by a veto. Nothing was tuned on these photographs: the detector is the
shipped one, so every photograph is held out. The photographs are read, never written.

`--subjects training --skip 4` scores the training subjects' photographs that no training row was made
from (each eye's fifth on: `simulation/real_still_set.py` uses the first four), as a screen before a
detector is chosen; `--seed-base` draws other attacks (lens designs, prints) of the same photographs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from multiprocessing import Pool
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enrollment.iris.errors import QualityError  # noqa: E402
from enrollment.iris.segment import segment  # noqa: E402
from liveness.assess import cues_for_observations  # noqa: E402
from liveness.errors import LivenessError  # noqa: E402
from liveness.fusion import BLUR, Fusion, default_fusion, load_fusion  # noqa: E402
from liveness.pupil_finder import track_pupil  # noqa: E402
from liveness.texture_model import TextureModel, texture_crops  # noqa: E402
from simulation.pad_dataset import presentation  # noqa: E402
from simulation.real_photo_attacks import REAL_PHOTO_ATTACKS, real_photo_presentation  # noqa: E402
from simulation.real_photo_worn import real_photo_lens, real_photo_prosthetic  # noqa: E402
from simulation.real_still_set import heldout_subject  # noqa: E402

WORN = ("contact_lens", "prosthetic")  # simulation/real_photo_worn.py: the real eye animated
SPECIES = (*sorted(REAL_PHOTO_ATTACKS), *WORN)
RENDER_INDEX_BASE = 500_000  # held-out indices far from those `pad eval` and bench/liveness.py use


def photographs(data: Path, per_eye: int, skip: int = 0) -> list[Path]:
    """`per_eye` images of every SUBJECT/EYE folder (sorted), after its first `skip`."""
    eyes = sorted(p for p in data.glob("*/*") if p.is_dir())
    return [img for eye in eyes for img in sorted(eye.glob("*.png"))[skip : skip + per_eye]]


def subject_filter(which: str) -> Callable[[str], bool]:
    """Which subjects (folder names) `--subjects` keeps: all, the held-out ones (int(id) % 4 == 3, never
    used in training, `simulation.real_still_set.heldout_subject`) or the training ones."""
    if which == "all":
        return lambda subject: True
    if which == "heldout":
        return heldout_subject
    return lambda subject: not heldout_subject(subject)


def chosen_photographs(
    parser: argparse.ArgumentParser,
    data: Path,
    per_eye: int,
    limit: int,
    keep: Callable[[str], bool] = lambda subject: True,
    skip: int = 0,
) -> list[Path]:
    """`photographs` of the subjects `keep` keeps, the first `limit` of them when `limit` is set; a parser
    error when there are none."""
    if not data.is_dir():
        parser.error(f"--data {data} is not a directory of SUBJECT/EYE/*.png")
    if skip < 0:
        parser.error("--skip must be 0 or more")
    images = [p for p in photographs(data, per_eye, skip) if keep(p.parent.parent.name)]
    if limit:
        images = images[:limit]
    if not images:
        parser.error(f"no SUBJECT/EYE/*.png under {data}")
    return images


def _real_presentation(gray, seg, species: str, index: int):
    pupil, iris = seg.pupil, seg.iris
    if species == "contact_lens":
        circles = (pupil.x, pupil.y, pupil.r), (iris.x, iris.y, iris.r)
        return real_photo_lens(gray, *circles, seg.noise_mask, seed=index).presentation
    if species == "prosthetic":
        circles = (pupil.x, pupil.y, pupil.r), (iris.x, iris.y, iris.r)
        return real_photo_prosthetic(gray, *circles, seed=index).presentation
    return real_photo_presentation(gray, (iris.x, iris.y), iris.r, species, seed=index)


@lru_cache(maxsize=1)
def _other_detector(old: str) -> tuple[TextureModel, Fusion]:
    return TextureModel(Path(old) / "texture_cnn.onnx"), load_fusion(Path(old) / "fusion.json")


def _decide(frames, schedule, old: str) -> dict[str, tuple[bool, bool, tuple[str, ...]]]:
    """(accepted, refused as blurred, vetoes) by the shipped detector ("new") and, with `old`, by the
    earlier one ("old"), from one measurement of the physical cues."""
    obs = track_pupil(frames)
    cues = cues_for_observations(frames, schedule, obs)
    out = {}
    detectors = [("new", cues, default_fusion())]
    if old:
        model, fusion = _other_detector(old)
        detectors.append(("old", cues | {"texture": model.score(texture_crops(frames, obs))}, fusion))
    for name, scores, fusion in detectors:
        vetoed = fusion.vetoed(scores)
        out[name] = (fusion.probability(scores) >= fusion.threshold, BLUR in vetoed, vetoed)
    return out


def _real(job: tuple[int, str, tuple[str, ...], str]) -> dict:
    index, path, species_list, old = job
    gray = cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    try:
        seg = segment(gray)
    except QualityError:
        return {"segmented": False}
    out: dict = {"segmented": True}
    for species in species_list:
        try:
            p = _real_presentation(gray, seg, species, index)
        except LivenessError:  # a segmentation the animation cannot use (e.g. a pupil outside the iris)
            continue
        out[species] = _decide(p.frames, p.schedule, old)
    return out


def _render(job: tuple[int, tuple[str, ...], str]) -> dict:
    index, species_list, old = job
    out = {}
    for species in species_list:
        p = presentation("heldout", species, RENDER_INDEX_BASE + index)
        out[species] = _decide(p.frames, p.schedule, old)
    return out


def _summary(rows: list[dict], species_list: tuple[str, ...], detector: str = "new") -> dict:
    out = {}
    for species in species_list:
        decided = [r[species][detector] for r in rows if species in r]
        accepted = sum(live for live, _, _ in decided)
        vetoes = [v for _, _, vetoed in decided for v in vetoed]
        out[species] = {
            "presentations": len(decided),
            "accepted_as_live": accepted,
            "apcer": accepted / len(decided) if decided else float("nan"),
            "refused_as_blurred": sum(blurred for _, blurred, _ in decided),
            "vetoed_by": {v: vetoes.count(v) for v in sorted(set(vetoes))},
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "iris-dev" / "iitd")
    parser.add_argument("--per-eye", type=int, default=1)
    parser.add_argument("--skip", type=int, default=0, help="start after each eye's first N photographs")
    parser.add_argument("--seed-base", type=int, default=0,
                        help="attacks of the k-th photograph draw from seed-base + k")  # fmt: skip
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--species", default=",".join(SPECIES), help=f"comma-separated, from {','.join(SPECIES)}"
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N photographs (a smoke run)")
    parser.add_argument(
        "--subjects", choices=("all", "heldout", "training"), default="all",
        help="heldout: only subjects with int(id) %% 4 == 3, never used in training (issue 26)",
    )  # fmt: skip
    parser.add_argument("--baseline", type=int, default=-1, help="render-based presentations per species "
                        "(default: as many as photographs)")  # fmt: skip
    parser.add_argument("--other", type=Path, help="a directory with another texture_cnn.onnx + fusion.json")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    species = tuple(args.species.split(","))
    if not species or any(s not in SPECIES for s in species):
        parser.error(f"--species takes a comma-separated list from {','.join(SPECIES)}")
    if args.per_eye < 1:
        parser.error("--per-eye must be at least 1")
    if args.seed_base < 0:
        parser.error("--seed-base must be 0 or more")
    images = chosen_photographs(
        parser, args.data, args.per_eye, args.limit, subject_filter(args.subjects), args.skip
    )
    start = time.time()
    with Pool(args.workers) as pool:
        old = str(args.other) if args.other else ""
        jobs = [(args.seed_base + i, str(p), species, old) for i, p in enumerate(images)]
        real = pool.map(_real, jobs, chunksize=4)
        real_s = time.time() - start
        n_base = len(images) if args.baseline < 0 else args.baseline
        rendered = pool.map(_render, [(i, species, old) for i in range(n_base)], chunksize=4)
    segmented = [r for r in real if r["segmented"]]
    result = {
        "photographs": len(images),
        "subjects": len({p.parent.parent.name for p in images}),
        "subject_filter": args.subjects,
        "skip": args.skip,
        "seed_base": args.seed_base,
        "not_segmented": sum(not r["segmented"] for r in real),
        "real_photo": _summary(segmented, species),
        "render_baseline": _summary(rendered, species),
        "seconds": {"real_photo": round(real_s, 1), "total": round(time.time() - start, 1)},
    }
    if args.other:  # the same presentations, decided by the earlier detector
        result["real_photo_other_detector"] = _summary(segmented, species, "old")
        result["render_baseline_other_detector"] = _summary(rendered, species, "old")
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    print(
        f"{result['photographs']} photographs of {result['subjects']} subjects"
        f" ({result['not_segmented']} not segmented)"
    )
    for name in species:
        real_s, base = result["real_photo"][name], result["render_baseline"][name]
        print(
            f"  {name:<12} APCER real-photo {real_s['apcer']:.2%}"
            f" ({real_s['accepted_as_live']}/{real_s['presentations']})"
            f"  render-based {base['apcer']:.2%} ({base['accepted_as_live']}/{base['presentations']})"
            f"  refused as blurred {real_s['refused_as_blurred']} / {base['refused_as_blurred']}"
        )


if __name__ == "__main__":
    main()
