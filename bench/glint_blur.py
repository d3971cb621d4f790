"""Benchmark: does the corneal-reflection blur measure track the camera's blur, and what does it cost?

    nice .venv/bin/python bench/glint_blur.py [--count 60] [--seed 5] [--json]

Renders `--count` live-eye sequences (20 frames, station LEDs, light step) of random subjects with a
known blur: Gaussian defocus uniform in [0, 2.5] px and, in 30% of them, a 1-6 px motion streak.
Reports the Pearson correlation of `liveness.glint_blur` with the defocus (sequences without a
streak), the measure's median by defocus band (no streak) and the share of each band above the
shipped blur ceiling, the same for the streaked sequences, the share
of sequences it could not measure, and its cost per sequence against a baseline measured in the
same run on the same frames: one 2x area downscale of every frame, which any per-frame analysis
at least pays. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import cv2
import numpy as np

# Run as a script, this folder comes first on sys.path and bench/liveness.py would shadow the
# liveness package: the repository root goes first (this folder stays, for bench/timing.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from timing import median_ms

from hardware.illumination import IlluminationSchedule
from liveness.fusion import default_fusion
from liveness.glint_blur import glint_blur
from liveness.pupil_finder import track_pupil
from simulation.attacks.recapture import random_eye, station_leds
from simulation.live_eye import capture_bona_fide_sequence
from simulation.synthetic_eye import CaptureConditions

BANDS = ((0.0, 0.8), (0.8, 1.2), (1.2, 1.6), (1.6, 2.0), (2.0, 2.5))  # px of defocus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows, measure_ms, baseline_ms = [], [], []
    for _ in range(args.count):
        defocus = float(rng.uniform(0.0, 2.5))
        motion = float(rng.uniform(1.0, 6.0)) if rng.random() < 0.3 else 0.0
        conditions = CaptureConditions.random(
            rng, leds=station_leds(rng), defocus=defocus, motion_blur=motion
        )
        schedule = IlluminationSchedule.random_step(rng, n_frames=20)
        frames = capture_bona_fide_sequence(random_eye(rng, (0, 500_000)), schedule, conditions, rng)
        observations = track_pupil(frames)
        n_leds = len(schedule.leds)
        blur = glint_blur(frames, observations, n_leds)
        measure_ms.append(median_ms(lambda f=frames, o=observations, n=n_leds: glint_blur(f, o, n), 3))
        baseline_ms.append(
            median_ms(
                lambda f=frames: [
                    cv2.resize(x, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) for x in f
                ],
                3,
            )
        )
        rows.append((defocus, motion, blur))
    table = np.array(rows)
    finite = np.isfinite(table[:, 2])
    still = finite & (table[:, 1] == 0)
    ceiling = default_fusion().blur_ceiling_px
    bands = {}
    for low, high in BANDS:
        sel = still & (table[:, 0] >= low) & (table[:, 0] < high)
        bands[f"{low}-{high}"] = {
            "n": int(sel.sum()),
            "median_px": float(np.median(table[sel, 2])) if sel.any() else None,
            "above_ceiling": float(np.mean(table[sel, 2] > ceiling)) if sel.any() and ceiling else None,
        }
    result = {
        "sequences": args.count,
        "unmeasured": float(1.0 - finite.mean()),
        "pearson_r_defocus_no_motion": float(np.corrcoef(table[still, 0], table[still, 2])[0, 1]),
        "by_defocus_px": bands,
        "motion_streak_median_px": float(np.median(table[finite & (table[:, 1] > 0), 2])),
        "motion_streak_above_ceiling": float(np.mean(table[finite & (table[:, 1] > 0), 2] > ceiling))
        if ceiling
        else None,
        "blur_ceiling_px": ceiling,
        "measure_ms": statistics.median(measure_ms),
        "baseline_pass_ms": statistics.median(baseline_ms),
    }
    result["measure_over_baseline"] = result["measure_ms"] / result["baseline_pass_ms"]
    if args.json:
        print(json.dumps(result, indent=2, sort_keys=True))
        return
    print(f"{args.count} live-eye sequences, defocus 0-2.5 px, 30% with a 1-6 px motion streak")
    print(f"correlation with defocus (no streak): r = {result['pearson_r_defocus_no_motion']:.3f}")
    print("by defocus, sequences without a streak:")
    for band, m in bands.items():
        if m["n"]:
            print(
                f"  defocus {band} px: n={m['n']}, median {m['median_px']:.2f} px,"
                f" above the ceiling {m['above_ceiling']:.0%}"
            )
    streak = result["motion_streak_median_px"]
    above = result["motion_streak_above_ceiling"]
    print(f"  with a motion streak: median {streak:.2f} px, above the ceiling {above:.0%}")
    print(f"  (the shipped ceiling: {ceiling:.2f} px)")
    print(
        f"cost: {result['measure_ms']:.1f} ms per sequence, {result['measure_over_baseline']:.1f}x one 2x "
        f"downscale pass ({result['baseline_pass_ms']:.2f} ms); unmeasured {result['unmeasured']:.0%}"
    )


if __name__ == "__main__":
    main()
