"""Liveness's pupil finder and edge tracker on REAL eye stills, beside the finder it replaced.

    nice .venv/bin/python bench/pupil_real.py --split tuning          # tune on this
    nice .venv/bin/python bench/pupil_real.py --split heldout --json  # once, after every choice
    nice .venv/bin/python bench/pupil_real.py                         # all 1,120, both splits listed

Reference: the pupil circle of the iris pipeline's segmentation (`enrollment.iris.segment`), the
one pupil measure in the project checked on real eyes (within 3 px of circles checked on overlays,
`tests/enrollment/test_iris_real_eyes.py`; 0.9% failure to enroll on this set). It is an estimate,
not ground truth: where it is wrong, a right finder scores as wrong, so the shares below are lower
bounds of the finder's accuracy within the reference's own error, and an image the segmentation
refuses is left out (counted). Both measures see the same pixels.

Per finder: the share of images where it finds a pupil, the share whose centre lies within 3 px and
5 px of the reference's, the median |radius error| over those within 5 px, and median ms per
image. The edge tracker (`liveness.pupil_edge.edge_radii`) is run on a still repeated
TRACK_FRAMES times (no light step: the edge it starts from), fed by each finder. Old = liveness at
OLD_COMMIT read from git into a temporary package at run time (no copy is kept). The hold-out,
subjects = 1 mod 4 (28 subjects, 280 images), was fixed before any tuning. The images are read
where they lie; only aggregate figures are printed and nothing made from them is written.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

# Run as a script, this folder comes first on sys.path and bench/liveness.py would shadow the
# liveness package: the repository root goes first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from enrollment.evaluation import scan
from enrollment.iris import QualityError
from enrollment.iris.image_input import read_gray
from enrollment.iris.segment import segment
from liveness import pupil_edge, pupil_finder

OLD_COMMIT = "07dc381"  # main when issue 26's pupil work began: the finder fitted on renders only
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "iris-dev" / "iitd"
HELD_OUT_MOD = (4, 1)  # subjects with int(subject) % 4 == 1 are the hold-out
TOLERANCES_PX = (3.0, 5.0)
TRACK_FRAMES = 5


def load_old_liveness(workdir: Path):
    """(pupil_finder, pupil_edge) modules of liveness at OLD_COMMIT, as package `liveness_at_<commit>`."""
    name = f"liveness_at_{OLD_COMMIT}"
    files = ["liveness/pupil_finder.py", "liveness/pupil_edge.py", "liveness/order_stats.py"]
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", OLD_COMMIT, *files], check=True, capture_output=True, timeout=60
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True, timeout=60)
    (workdir / "liveness").rename(workdir / name)
    (workdir / name / "__init__.py").write_text("")
    sys.path.insert(0, str(workdir))
    return importlib.import_module(f"{name}.pupil_finder"), importlib.import_module(f"{name}.pupil_edge")


def held_out(subject: str) -> bool:
    """Whether a subject belongs to the hold-out split."""
    mod, rest = HELD_OUT_MOD
    return int(subject) % mod == rest


def measure(finder, edge, grays, references) -> dict[str, np.ndarray]:
    """Per image (in memory only): centre error, radius error, time; the edge tracker's too."""
    n = len(grays)
    out = {k: np.full(n, np.nan) for k in ("centre", "radius", "ms", "edge_centre", "edge_radius")}
    for i, (gray, ref) in enumerate(zip(grays, references, strict=True)):
        start = time.perf_counter()
        p = finder.find_pupil(gray)
        out["ms"][i] = (time.perf_counter() - start) * 1000.0
        if ref is None:
            continue
        if p.found:
            out["centre"][i] = math.hypot(p.x - ref.x, p.y - ref.y)
            out["radius"][i] = p.radius - ref.r
        frames = np.repeat(gray[None], TRACK_FRAMES, axis=0)
        tracked = [o for o in edge.edge_radii(frames, finder.track_pupil(frames)) if o.found]
        if tracked:
            out["edge_centre"][i] = math.hypot(tracked[0].x - ref.x, tracked[0].y - ref.y)
            out["edge_radius"][i] = tracked[0].radius - ref.r
    return out


def summarize(per_image: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, float]:
    """Shares and medians over the images in `rows` that have a reference."""
    centre, radius = per_image["centre"][rows], per_image["radius"][rows]
    e_centre, e_radius = per_image["edge_centre"][rows], per_image["edge_radius"][rows]
    n = int(rows.sum())
    result: dict[str, float] = {"images": n, "found": float(np.isfinite(centre).mean())}
    with np.errstate(invalid="ignore"):
        for tol in TOLERANCES_PX:
            result[f"centre_within_{tol:g}px"] = float((centre <= tol).mean())
            result[f"centre_and_radius_within_{tol:g}px"] = float(
                ((centre <= tol) & (np.abs(radius) <= tol)).mean()
            )
            result[f"edge_within_{tol:g}px"] = float(((e_centre <= tol) & (np.abs(e_radius) <= tol)).mean())
        near = centre <= TOLERANCES_PX[1]
        result["radius_abs_error_median_px"] = (
            float(np.median(np.abs(radius[near]))) if near.any() else math.nan
        )
        result["radius_error_median_px"] = float(np.median(radius[near])) if near.any() else math.nan
        e_near = e_centre <= TOLERANCES_PX[1]
        result["edge_radius_abs_error_median_px"] = (
            float(np.median(np.abs(e_radius[e_near]))) if e_near.any() else math.nan
        )
    result["ms_median"] = float(np.median(per_image["ms"][rows]))
    return result


def main(argv: list[str] | None = None) -> int:
    """Both finders on the set's images; print a table (or --json). Exit 2 when data or git is missing."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"default {DEFAULT_DATA}")
    ap.add_argument("--split", choices=("all", "tuning", "heldout"), default="all")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.data.is_dir():
        print(f"no data at {args.data}: clone the repository with shared/iris-dev beside it", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    samples = [
        s for s in scan(args.data) if args.split == "all" or held_out(s.subject) == (args.split == "heldout")
    ]
    grays = [read_gray(s.path) for s in samples]
    references = []
    for gray in grays:
        try:
            references.append(segment(gray).pupil)
        except QualityError:
            references.append(None)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            old_finder, old_edge = load_old_liveness(Path(tmp))
        except subprocess.CalledProcessError as e:
            stderr = e.stderr.decode(errors="replace").strip() if e.stderr else ""
            print(f"cannot read {OLD_COMMIT} from git (a shallow clone? fetch it): {stderr}", file=sys.stderr)
            return 2
        old = measure(old_finder, old_edge, grays, references)
    new = measure(pupil_finder, pupil_edge, grays, references)
    has_ref = np.array([r is not None for r in references])
    heldout = np.array([held_out(s.subject) for s in samples])
    splits = {"all": has_ref}
    if args.split == "all":
        splits |= {"tuning": has_ref & ~heldout, "heldout": has_ref & heldout}
    result = {
        "data": str(args.data),
        "split": args.split,
        "old_commit": OLD_COMMIT,
        "images": len(samples),
        "reference_refused": int((~has_ref).sum()),
        "results": {
            k: {"old": summarize(old, rows), "new": summarize(new, rows)} for k, rows in splits.items()
        },
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    print(
        f"{len(samples)} real images ({args.split}) from {args.data}; reference = iris segmentation's pupil "
        f"(refused {result['reference_refused']}); old = liveness at {OLD_COMMIT}"
    )
    print(
        f"{'split':8s} {'finder':6s} {'found':>6s} {'<=3px':>6s} {'<=5px':>6s} {'c+r3':>6s} "
        f"{'|dr|':>5s} {'edge3':>6s} {'edge5':>6s} {'|dr|e':>5s} {'ms':>5s}"
    )
    for split, pair in result["results"].items():
        for name, r in pair.items():
            print(
                f"{split:8s} {name:6s} {r['found']:6.1%} {r['centre_within_3px']:6.1%} "
                f"{r['centre_within_5px']:6.1%} {r['centre_and_radius_within_3px']:6.1%} "
                f"{r['radius_abs_error_median_px']:5.2f} {r['edge_within_3px']:6.1%} "
                f"{r['edge_within_5px']:6.1%} "
                f"{r['edge_radius_abs_error_median_px']:5.2f} {r['ms_median']:5.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
