"""Real eyes beside synthetic ones: the same image statistics on real NIR photographs and on renders.

    .venv/bin/python bench/renderer_fit.py ../shared/iris-dev/iitd            # every 5th real image
    .venv/bin/python bench/renderer_fit.py ../shared/iris-dev/iitd --renders 60 --json
    .venv/bin/python bench/renderer_fit.py --print-fitted                      # the FITTED parameters

Prints, per statistic of simulation/eye_statistics.py, the median and interquartile range on the
real images, on LEGACY renders and on FITTED renders, and how far each look's median lies from the
real one in units of the real IQR. The real images are read from the path given and never written
anywhere; only these population summaries are printed. Images the iris pipeline cannot segment
are counted, not measured.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from enrollment.iris.errors import QualityError
from simulation.eye_statistics import STATISTICS, EyeStatistics, measure_image, summarize
from simulation.synthetic_eye import FITTED, LEGACY, Appearance, EyeIdentity, render_eye

LOOKS = {"legacy": LEGACY, "fitted": FITTED}


def real_statistics(folder: Path, every: int) -> tuple[list[EyeStatistics], int]:
    """Statistics of every `every`-th PNG under `folder` (sorted), and how many failed to segment."""
    paths = sorted(folder.rglob("*.png"))[::every]
    if not paths:
        raise SystemExit(f"no .png images under {folder}")
    rows, failed = [], 0
    for path in paths:
        gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if gray is None:
            raise SystemExit(f"unreadable image: {path}")
        try:
            rows.append(measure_image(gray))
        except QualityError:
            failed += 1
    return rows, failed


def render_statistics(look: Appearance, renders: int, seed: int) -> tuple[list[EyeStatistics], int]:
    """Statistics of `renders` captures under `look` (subjects 0.., alternating eyes)."""
    rng = np.random.default_rng(seed)
    rows, failed = [], 0
    for k in range(renders):
        eye = EyeIdentity.from_seed(k // 2, "LR"[k % 2])
        image = render_eye(eye, look.conditions(rng), appearance=look)
        try:
            rows.append(measure_image(image))
        except QualityError:
            failed += 1
    return rows, failed


def distance(real: tuple[float, float, float], look: tuple[float, float, float], resolution: float) -> float:
    """|look median - real median| in units of the real IQR, floored at 5% of the median and at the
    statistic's `resolution` (a grey level, one spot, one step), so a constant statistic stays finite."""
    iqr = max(real[2] - real[1], 0.05 * abs(real[0]), resolution)
    return abs(look[0] - real[0]) / iqr


def _resolution(statistic: str) -> float:
    if statistic.endswith(("_grey", "_count", "_width", "_size")):
        return 1.0  # grey levels, spots, 0.01 iris radii steps
    return 0.01


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("real", nargs="?", type=Path, help="folder of real NIR eye images (PNG)")
    parser.add_argument("--every", type=int, default=5, help="measure every N-th real image")
    parser.add_argument("--renders", type=int, default=40, help="renders per look")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--print-fitted", action="store_true", help="print the FITTED parameters and exit")
    args = parser.parse_args(argv)
    if args.print_fitted:
        print(json.dumps(dataclasses.asdict(FITTED), indent=1))
        return 0
    if args.real is None or not args.real.is_dir():
        parser.error("give the folder of real images (e.g. ../shared/iris-dev/iitd)")
    if args.every < 1 or args.renders < 4:
        parser.error("--every must be >= 1 and --renders >= 4")

    started = time.perf_counter()
    real, real_failed = real_statistics(args.real, args.every)
    summaries = {"real": summarize(real)}
    counts = {"real": (len(real), real_failed)}
    for name, look in LOOKS.items():
        rows, failed = render_statistics(look, args.renders, args.seed)
        summaries[name], counts[name] = summarize(rows), (len(rows), failed)
    far = {
        name: {s: distance(summaries["real"][s], summaries[name][s], _resolution(s)) for s in STATISTICS}
        for name in LOOKS
    }
    result = {
        "counts": {k: {"measured": m, "unsegmented": f} for k, (m, f) in counts.items()},
        "statistics": {
            s: {k: dict(zip(("median", "q25", "q75"), summaries[k][s], strict=True)) for k in summaries}
            for s in STATISTICS
        },
        "distance_in_real_iqr": far,
        "mean_distance": {k: float(np.nanmean(list(v.values()))) for k, v in far.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    if args.json:
        print(json.dumps(result, indent=1, allow_nan=True))
        return 0
    fmt = lambda t: f"{t[0]:8.3f} [{t[1]:7.3f}, {t[2]:7.3f}]"  # noqa: E731
    print(f"{'statistic':20s} {'real':>27s} {'legacy':>27s} {'fitted':>27s}  dist legacy / fitted")
    for s in STATISTICS:
        cells = " ".join(fmt(summaries[k][s]) for k in ("real", "legacy", "fitted"))
        mark = (
            ""
            if math.isnan(far["fitted"][s]) or far["fitted"][s] <= far["legacy"][s]
            else "  (fitted farther)"
        )
        print(f"{s:20s} {cells}  {far['legacy'][s]:6.2f} / {far['fitted'][s]:6.2f}{mark}")
    print(
        "mean distance (real IQRs): " + ", ".join(f"{k} {v:.2f}" for k, v in result["mean_distance"].items())
    )
    print("images measured / unsegmented: " + ", ".join(f"{k} {m}/{f}" for k, (m, f) in counts.items()))
    print(f"{result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
