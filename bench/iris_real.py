"""The iris pipeline on REAL eyes, beside the pipeline it replaced, measured in one run.

    .venv/bin/python bench/iris_real.py                       # ../shared/iris-dev/iitd, all images
    .venv/bin/python bench/iris_real.py --data DIR --json     # any SUBJECT/EYE/IMAGE set
    .venv/bin/python bench/iris_real.py --old-commit 7843fb3 --paint 90,1   # pupils painted grey 90

Both pipelines encode the same images on one core (OpenCV and onnxruntime single-threaded) and
are scored the same way: failure to enroll (FTE) with its reasons, FNMR over enrolled images and
generalized FNMR (ISO/IEC 19795-1: a genuine pair with a refused image counts as failed) at FMR
1e-3 and 1e-4, EER, and the median milliseconds from decoded pixels to template. The old pipeline
is the code landed at OLD_COMMIT, read from git into a temporary package at run time (no copy is
kept). The images are read where they lie and nothing made from them is written.

`--paint GREY[,WIDER[,DX,DY]]` scores copies, made in memory only, with the pupil painted one
constant grey as some capture software does: the disc of the pupil the OLD pipeline finds on the
original image, WIDER px wider and moved by (DX, DY) px (images where it finds none stay as they are).

`--scale S` scores copies, made in memory only, with the eye S times its size, as other cameras or
distances give it (the development set's irises are ~85-130 px in radius, the judge's 40-110 px).
S < 1: the image is shrunk and framed back to its size by a border that continues it without an
edge: its outermost pixels repeated, fading within a few px into their blur (skin shading, no
features) with the image's own noise added back, as more face around a smaller eye would look.
S > 1: the image is enlarged and cropped to 320x280 around the pupil the OLD pipeline finds
(image centre when none).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from enrollment.evaluation import all_pairs, failed_genuine_pairs, scan, summarize
from enrollment.evaluation.generalized import gfnmr_at_fmr
from enrollment.evaluation.run import reason_key
from enrollment.iris import QualityError, analyze
from enrollment.iris.image_input import read_gray

OLD_COMMIT = "fa1f42c"  # the pipeline tuned on synthetic eyes only (issue 21's "before")
PAINT_FIELDS = 4  # grey, wider, dx, dy
ENLARGED_FRAME = (280, 320)  # rows, columns of an enlarged copy: the largest frame of the judge's sets
BORDER_FEATHER_PX = 8.0  # how far the repeated edge pixels fade into the border's shading
BORDER_BLUR = 0.06  # the border's shading: the repeated edge blurred by this fraction of the frame's side
REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "iris-dev" / "iitd"


def load_old_pipeline(workdir: Path, commit: str = OLD_COMMIT):
    """`analyze`, `segment` and QualityError of enrollment/iris at `commit`, as `iris_at_<commit>`."""
    name = f"iris_at_{commit}"
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", commit, "enrollment/iris"],
        check=True,
        capture_output=True,
        timeout=60,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(workdir)], input=archive, check=True, timeout=60)
    (workdir / "enrollment" / "iris").rename(workdir / name)
    sys.path.insert(0, str(workdir))
    pipeline = importlib.import_module(f"{name}.pipeline")
    errors = importlib.import_module(f"{name}.errors")
    segment = importlib.import_module(f"{name}.segment").segment
    return pipeline.analyze, segment, errors.QualityError


def parse_paint(text: str) -> tuple[int, float, float, float]:
    """Parse GREY[,WIDER[,DX,DY]] to (grey 0-255, wider px, dx px, dy px); ValueError when malformed."""
    parts = [float(v) for v in text.split(",")]
    if len(parts) not in (1, 2, PAINT_FIELDS) or not 0 <= parts[0] <= 255 or parts[0] != int(parts[0]):
        raise ValueError("--paint takes GREY[,WIDER[,DX,DY]] with GREY an integer 0-255")
    grey, wider, dx, dy = (*parts, 0.0, 0.0, 0.0)[:PAINT_FIELDS]
    return int(grey), wider, dx, dy


def paint_pupils(grays, segment_fn, error_type, paint):
    """Copies of `grays` with the pupil `segment_fn` finds painted as `paint` says; count painted."""
    grey, wider, dx, dy = paint
    out, painted = [], 0
    for gray in grays:
        try:
            pupil = segment_fn(gray).pupil
        except error_type:
            out.append(gray)
            continue
        yy, xx = np.mgrid[0 : gray.shape[0], 0 : gray.shape[1]]
        disc = (xx - pupil.x - dx) ** 2 + (yy - pupil.y - dy) ** 2 <= (pupil.r + wider) ** 2
        out.append(np.where(disc, np.uint8(grey), gray))
        painted += 1
    return out, painted


def rescale_eye(gray: np.ndarray, scale: float, centre: tuple[float, float] | None = None) -> np.ndarray:
    """A copy of `gray` (uint8) with the eye `scale` times as large; see the module docstring.

    `centre` (x, y, original pixels) is what an enlarged copy is cropped around. Deterministic:
    the border's noise is seeded by the image itself. ValueError for a scale outside (0, 4].
    """
    if not 0 < scale <= 4:
        raise ValueError("scale must be in (0, 4]")
    height, width = gray.shape
    if scale >= 1:
        big = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
        rows, cols = ENLARGED_FRAME
        cx, cy = centre if centre is not None else (width / 2, height / 2)
        x0 = int(np.clip(round(cx * scale - cols / 2), 0, max(big.shape[1] - cols, 0)))
        y0 = int(np.clip(round(cy * scale - rows / 2), 0, max(big.shape[0] - rows, 0)))
        return np.ascontiguousarray(big[y0 : y0 + rows, x0 : x0 + cols])
    # The outermost pixels are dropped: the development camera's first column reads ~60 levels
    # bright (a sensor artifact), which the border would otherwise spread.
    core = gray[1:-1, 1:-1]
    small = cv2.resize(core, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
    top, left = (height - small.shape[0]) // 2, (width - small.shape[1]) // 2
    bottom, right = height - small.shape[0] - top, width - small.shape[1] - left
    # The image's own noise: the spread of what a 3x3 median removes (robust to edges).
    noise = 1.4826 * float(np.median(np.abs(small - cv2.medianBlur(small, 3))))
    framed = cv2.copyMakeBorder(small, top, bottom, left, right, cv2.BORDER_REPLICATE)
    shading = cv2.GaussianBlur(framed, (0, 0), BORDER_BLUR * min(height, width))
    inside = np.zeros((height, width), np.uint8)
    inside[top : top + small.shape[0], left : left + small.shape[1]] = 1
    fade = np.exp(-cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5) / BORDER_FEATHER_PX)
    rng = np.random.default_rng(int(gray[::7, ::7].astype(np.int64).sum()))
    out = fade * framed + (1 - fade) * (shading + rng.normal(0.0, noise, framed.shape))
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def rescale_all(grays, scale: float, segment_fn, error_type):
    """`rescale_eye` of every image, an enlarged one cropped around the pupil `segment_fn` finds."""
    out = []
    for gray in grays:
        centre = None
        if scale > 1:
            try:
                pupil = segment_fn(gray).pupil
                centre = (pupil.x, pupil.y)
            except error_type:
                pass
        out.append(rescale_eye(gray, scale, centre))
    return out


def measure(analyze_fn, error_type, samples, grays) -> dict[str, object]:
    """FTE and reasons, (G)FNMR at 1e-3/1e-4, EER and median ms per image for one pipeline."""
    for gray in grays[:20]:  # load the ONNX session before timing (on the first image that enrolls)
        try:
            analyze_fn(gray)
            break
        except error_type:
            continue
    templates, labels, reasons, times = [], [], {}, []
    for sample, gray in zip(samples, grays, strict=True):
        start = time.perf_counter()
        try:
            template = analyze_fn(gray).template
        except error_type as e:
            key = reason_key(QualityError(e.reasons))
            reasons[key] = reasons.get(key, 0) + 1
        else:
            templates.append(template)
            labels.append(sample.eye_id)
        finally:
            times.append((time.perf_counter() - start) * 1000.0)
    genuine, impostor = all_pairs(templates, labels)
    summary = summarize(genuine, impostor, fmrs=(1e-3, 1e-4))
    failed = failed_genuine_pairs([s.eye_id for s in samples], labels)
    return {
        "images": len(samples),
        "enrolled": len(templates),
        "fte": 1.0 - len(templates) / len(samples),
        "fte_reasons": dict(sorted(reasons.items(), key=lambda kv: -kv[1])),
        "genuine": len(genuine),
        "genuine_failed_to_enroll": failed,
        "impostor": len(impostor),
        "eer": summary["eer"],
        "fnmr_at_fmr": summary["fnmr_at_fmr"],
        "gfnmr_at_fmr": gfnmr_at_fmr(summary, genuine, failed, fmrs=(1e-3, 1e-4)),
        "threshold_at_fmr": summary["threshold_at_fmr"],
        "encode_ms_median": float(np.median(times)),
        "encode_ms_p90": float(np.percentile(times, 90)),
    }


def main(argv: list[str] | None = None) -> int:
    """Run both pipelines on the set; print a table (or --json). Exit 2 when the set is missing."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"default {DEFAULT_DATA}")
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--old-commit", default=OLD_COMMIT, help=f"the pipeline to compare with (default {OLD_COMMIT})"
    )
    ap.add_argument("--paint", type=parse_paint, help="GREY[,WIDER[,DX,DY]]: pupils painted one grey")
    ap.add_argument("--scale", type=float, help="S: the eye S times as large (copies in memory), 0 < S <= 4")
    args = ap.parse_args(argv)
    if args.scale is not None and not 0 < args.scale <= 4:
        ap.error("--scale must be in (0, 4]")
    if not args.data.is_dir():
        print(f"no data at {args.data}: clone the repository with shared/iris-dev beside it", file=sys.stderr)
        return 2
    cv2.setNumThreads(1)
    samples = scan(args.data)
    grays = [read_gray(s.path) for s in samples]
    with tempfile.TemporaryDirectory() as tmp:
        try:
            old_analyze, old_segment, old_error = load_old_pipeline(Path(tmp), args.old_commit)
        except subprocess.CalledProcessError as e:
            stderr = e.stderr.decode(errors="replace").strip() if e.stderr else ""
            print(
                f"cannot read {args.old_commit} from git (a shallow clone? fetch it): {stderr}",
                file=sys.stderr,
            )
            return 2
        painted = 0
        if args.paint is not None:
            grays, painted = paint_pupils(grays, old_segment, old_error, args.paint)
        if args.scale is not None:
            grays = rescale_all(grays, args.scale, old_segment, old_error)
        old = measure(old_analyze, old_error, samples, grays)
    new = measure(analyze, QualityError, samples, grays)
    result = {"data": str(args.data), "old_commit": args.old_commit, "old": old, "new": new}
    if args.paint is not None:
        result["paint"] = {"grey_wider_dx_dy": list(args.paint), "painted_images": painted}
    if args.scale is not None:
        result["scale"] = args.scale
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    pct = lambda v: "   n/a" if v is None else f"{v:6.2%}"  # noqa: E731
    print(f"{len(samples)} real images from {args.data}; old = enrollment/iris at {args.old_commit}")
    if args.paint is not None:
        print(f"pupils painted {args.paint} (grey, wider, dx, dy) on {painted} images")
    if args.scale is not None:
        print(f"eyes scaled {args.scale}x ({grays[0].shape[1]}x{grays[0].shape[0]} frames)")
    print(
        f"{'':6s} {'FTE':>7s} {'FNMR@1e-3':>10s} {'FNMR@1e-4':>10s} {'GFNMR@1e-3':>11s} {'GFNMR@1e-4':>11s} "
        f"{'EER':>7s} {'ms/image':>9s}"
    )
    for name, r in (("old", old), ("new", new)):
        f, g = r["fnmr_at_fmr"], r["gfnmr_at_fmr"]
        print(
            f"{name:6s} {pct(r['fte']):>7s} {pct(f['1e-3']):>10s} {pct(f['1e-4']):>10s} "
            f"{pct(g['1e-3']):>11s} {pct(g['1e-4']):>11s} {pct(r['eer']):>7s} {r['encode_ms_median']:9.1f}"
        )
        print(f"       refused: {r['fte_reasons']}")
    print(f"new/old median time: {new['encode_ms_median'] / old['encode_ms_median']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
