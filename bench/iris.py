"""Iris pipeline benchmark on a synthetic set: accuracy and speed beside naive baselines.

    .venv/bin/python bench/iris.py                      # 100 subjects x 2 eyes x 5 captures
    .venv/bin/python bench/iris.py --subjects 20 --json
    .venv/bin/python bench/iris.py --subjects 20 --look fitted    # the renderer's real-eye look

Every figure is measured in this run: the matcher variants score the SAME templates, so the gain
of each stage (mask, rotation search, score normalization) is the difference between rows; the
ONNX encoder's time is reported against the numpy reference encoder timed on the same sheets.
Timing runs on one core (OpenCV and onnxruntime limited to one thread).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import cv2
import numpy as np

from enrollment.evaluation import all_pairs, enroll_all, summarize
from enrollment.evaluation.metrics import fmr_at_threshold, fnmr_at_threshold
from enrollment.iris import PipelineParams
from enrollment.iris.gabor import encode_reference
from enrollment.iris.pipeline import analyze, encoder_for
from simulation.synthetic_eye import FITTED, LEGACY, Appearance, EyeIdentity, render_eye

CANDIDATE_THRESHOLDS = (0.30, 0.32, 0.34, 0.36)  # for the 1:N deduplication recommendation
VARIANTS = {  # name: (max_shift, use_mask, normalized)
    "pipeline (mask, +-15 shifts, normalized)": (15, True, True),
    "raw distance (no normalization)": (15, True, False),
    "no rotation search": (0, True, True),
    "no mask": (15, False, True),
    "naive (no mask, no rotation)": (0, False, False),
}


def render_set(subjects: int, captures: int, seed: int, look: Appearance = LEGACY):
    """Yield ((subject, eye), image) for the synthetic set, rendered on the fly (never written)."""
    rng = np.random.default_rng(seed)
    for subject in range(subjects):
        for eye in ("L", "R"):
            identity = EyeIdentity.from_seed(subject, eye)
            for _ in range(captures):
                yield (subject, eye), render_eye(identity, look.conditions(rng), appearance=look)


def binomial_tail_threshold(impostor: np.ndarray, fmr: float) -> tuple[float, float]:
    """Daugman's extrapolation: fit a binomial (mean p, N degrees of freedom) to the impostor scores.

    Returns (degrees of freedom, threshold whose fitted binomial FMR is `fmr`), i.e. an estimate
    for FMRs far below what the impostor count can resolve (Daugman 2004, section 5).
    """
    p, sd = float(impostor.mean()), float(impostor.std())
    dof = p * (1 - p) / (sd * sd)
    n = round(dof)
    log_terms = [
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log(1 - p)
        for k in range(n + 1)
    ]
    cumulative = 0.0
    for k, lt in enumerate(log_terms):
        cumulative += math.exp(lt)
        if cumulative > fmr:
            return dof, k / n
    return dof, 1.0


def time_encoders(params: PipelineParams, sheets: np.ndarray, valid: np.ndarray) -> dict[str, float]:
    """Median ms per sheet: ONNX encoder (batch 1 and batch 32) and the numpy reference (batch 1)."""
    enc = encoder_for(params.encoder)

    def median_ms(fn, batches) -> float:
        out = []
        for b in batches:
            t = time.perf_counter()
            fn(b)
            out.append((time.perf_counter() - t) * 1000)
        return float(np.median(out))

    singles = [(sheets[i : i + 1], valid[i : i + 1]) for i in range(len(sheets))]
    onnx_ms = median_ms(lambda b: enc.encode(*b), singles)
    numpy_ms = median_ms(lambda b: encode_reference(b[0], b[1], params.encoder), singles[:20])
    batch = (sheets[:32], valid[:32])
    onnx_batch_ms = median_ms(lambda b: enc.encode(*b), [batch] * 5) / len(batch[0])
    return {"onnx_ms": onnx_ms, "onnx_batched_ms": onnx_batch_ms, "numpy_reference_ms": numpy_ms}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table (or --json)."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--subjects", type=int, default=100, help="subjects (2 eyes each); default 100 = 200 eyes"
    )
    ap.add_argument("--captures", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument(
        "--look",
        choices=("legacy", "fitted"),
        default="legacy",
        help="renderer look: legacy (640x480, the README's figures) or fitted (real-eye statistics, 320x240)",
    )
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    cv2.setNumThreads(1)
    params = PipelineParams()
    encoder_for(params.encoder)  # load the ONNX session before timing

    def tick(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"encoding {done}/{total}", file=sys.stderr, flush=True)

    total = args.subjects * 2 * args.captures
    items = list(
        render_set(args.subjects, args.captures, args.seed, FITTED if args.look == "fitted" else LEGACY)
    )
    templates, labels, rejections, times = enroll_all(items, params, tick)
    sheets, valid = [], []
    for _, image in items[:64]:
        try:
            enc = analyze(image, params)
        except ValueError:
            continue
        sheets.append(enc.normalized.sheet)
        valid.append(enc.normalized.valid)
    encoder_times = time_encoders(params, np.stack(sheets), np.stack(valid))
    del items

    variants = {}
    for name, (shift, use_mask, normalized) in VARIANTS.items():
        t = time.perf_counter()
        gen, imp = all_pairs(templates, labels, max_shift=shift, use_mask=use_mask, normalized=normalized)
        d_prime = abs(imp.mean() - gen.mean()) / math.sqrt((imp.var() + gen.var()) / 2)
        variants[name] = {
            **summarize(gen, imp),
            "d_prime": float(d_prime),
            "match_s": time.perf_counter() - t,
        }
        if name.startswith("pipeline"):
            genuine, impostor = gen, imp
    dof, t_1e6 = binomial_tail_threshold(impostor, 1e-6)
    _, t_1e9 = binomial_tail_threshold(impostor, 1e-9)
    result = {
        "look": args.look,
        "images": total,
        "enrolled": len(templates),
        "fte": (total - len(templates)) / total,
        "rejections": rejections,
        "genuine": len(genuine),
        "impostor": len(impostor),
        "genuine_max": float(genuine.max()),
        "impostor_min": float(impostor.min()),
        "impostor_mean": float(impostor.mean()),
        "impostor_sd": float(impostor.std()),
        "degrees_of_freedom": dof,
        "binomial_threshold_fmr_1e-6": t_1e6,
        "binomial_threshold_fmr_1e-9": t_1e9,
        "encode_ms_median": float(np.median(times)),
        "encode_ms_p90": float(np.percentile(times, 90)),
        "encode_budget_ratio": float(np.median(times)) / 50.0,
        **encoder_times,
        "onnx_speedup_vs_numpy": encoder_times["numpy_reference_ms"] / encoder_times["onnx_ms"],
        "variants": variants,
        "at_threshold": {
            f"{t:.2f}": {"fmr": fmr_at_threshold(impostor, t), "fnmr": fnmr_at_threshold(genuine, t)}
            for t in CANDIDATE_THRESHOLDS
        },
    }
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    fmt = lambda v: "  n/a " if v is None else f"{v:6.2%}"  # noqa: E731
    eyes = args.subjects * 2
    print(
        f"synthetic set ({args.look} look): {eyes} eyes x {args.captures} captures = {total} images "
        f"(seed {args.seed})"
    )
    print(f"failure to enroll {result['fte']:.2%}  {rejections}")
    print(f"comparisons: {len(genuine)} genuine, {len(impostor)} impostor")
    print(
        f"{'matcher':44s} {'EER':>7s} "
        + " ".join(f"{'FNMR@' + k:>10s}" for k in ("1e-3", "1e-4", "1e-5"))
        + f" {'d-prime':>8s}"
    )
    for name, v in variants.items():
        f = v["fnmr_at_fmr"]
        cells = " ".join(f"{fmt(f[k]):>10s}" for k in ("1e-3", "1e-4", "1e-5"))
        print(f"{name:44s} {v['eer']:7.3%} {cells} {v['d_prime']:8.1f}")
    print(
        f"genuine max {result['genuine_max']:.3f}, impostor min {result['impostor_min']:.3f}, impostor "
        f"{result['impostor_mean']:.3f} +- {result['impostor_sd']:.3f} ({dof:.0f} degrees of freedom)"
    )
    print(f"binomial-extrapolated threshold: FMR 1e-6 at {t_1e6:.3f}, FMR 1e-9 at {t_1e9:.3f}")
    for t, v in result["at_threshold"].items():
        print(
            f"threshold {t}: FMR {v['fmr']:.2e} ({round(v['fmr'] * len(impostor))} of {len(impostor)}), "
            f"FNMR {v['fnmr']:.2%}"
        )
    median, p90 = result["encode_ms_median"], result["encode_ms_p90"]
    print(
        f"pixels -> template: median {median:.1f} ms, p90 {p90:.1f} ms on one core "
        f"({result['encode_budget_ratio']:.2f} x the 50 ms budget)"
    )
    et = encoder_times
    print(
        f"Gabor encoder per sheet: ONNX {et['onnx_ms']:.2f} ms (batched {et['onnx_batched_ms']:.2f} ms), "
        f"numpy reference {et['numpy_reference_ms']:.2f} ms: x{result['onnx_speedup_vs_numpy']:.1f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
